"""gunicorn's settings: `gunicorn -c python:reformledger.config.gunicorn ...` (make run
and docs/operations.md use it).

The access log names the path without its query string and leaves out the referrer:
both can carry search terms with people's names, or a token someone put in a link.
Every gunicorn log line also passes the masking filter the application's own log
uses (reformledger/core/logging.py), which catches what is left.
"""

from gunicorn.glogging import Logger

from reformledger.core.logging import MaskSecretsFilter

accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)ss "%(a)s"'


class MaskedLogger(Logger):
    """gunicorn's logger with the masking filter on each of its handlers."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, MaskSecretsFilter) for f in handler.filters):
                    handler.addFilter(MaskSecretsFilter())


logger_class = MaskedLogger
