"""`reformledger generate`: write a synthetic province-scale ledger for benchmarks."""

import time

from django.core.management.base import BaseCommand, CommandError

from reformledger.demo.generator import GenerateError, generate


class Command(BaseCommand):
    help = (
        "Generate a synthetic province-scale ledger (units, tasks, approved plans, milestones) "
        "for benchmarks. Written in bulk, with one audit record."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tasks", type=int, default=20000, help="number of tasks (20000)")
        parser.add_argument("--units", type=int, default=200, help="number of units (200)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
        parser.add_argument("--year", type=int, default=2030, help="year of the ledger (2030)")
        parser.add_argument(
            "--prefix", default="GEN", help="code prefix of everything generated (GEN)"
        )

    def handle(self, *args, tasks, units, seed, year, prefix, **options):
        began = time.perf_counter()
        try:
            counts = generate(tasks=tasks, units=units, seed=seed, year=year, prefix=prefix)
        except GenerateError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - began
        done = ", ".join(f"{n} {kind}" for kind, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Generated {done} in {elapsed:.1f} s."))
