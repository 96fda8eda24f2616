"""The demo's documents: small files that stand for the results a unit attaches to its
reports and closing requests (佐证材料). Each is real content of its type (UTF-8
text, or a one-page PDF), so the evidence checks accept it as they would a real file,
and each says plainly that it is demo content.
"""

import datetime as dt

from reformledger.ledger.models import Task


def text_file(title: str, task: Task) -> bytes:
    """A small UTF-8 text file standing for a document of the demo."""
    return (
        f"{title}\n{task.lead_unit.name}\n\n"
        f"（{task.code} {task.title}）\n\n"
        "惠州市2016年改革台账演示数据：单位真实，本文件内容为演示而编写，并非真实公文。\n"
    ).encode()


def result_file(
    task: Task,
    reached: list[tuple[str, dt.date]],
    *,
    document_no: str,
    day: dt.date,
    summary: str,
    final: bool,
) -> bytes:
    """The result document of a closing request (a first, incomplete request has only
    the unit's work summary), as a UTF-8 text file. `reached`: (milestone, day)."""
    steps = "\n".join(
        f"{i}. {title}（{on.month}月{on.day}日完成）" for i, (title, on) in enumerate(reached, 1)
    )
    heading = "工作情况的报告" if final else "工作总结"
    return (
        f"{document_no}\n\n关于{task.title}{heading}\n\n{task.lead_unit.name}\n"
        f"{day.year}年{day.month}月{day.day}日\n\n"
        f"{summary}\n\n一、主要做法\n{steps}\n\n二、取得成效\n{task.description or task.title}\n\n"
        "三、下一步工作\n巩固改革成果，建立长效机制，做好经验总结和复制推广。\n\n"
        "（惠州市2016年改革台账演示数据：单位真实，本文件内容为演示而编写，并非真实公文。）\n"
    ).encode()


def result_pdf(code: str, day: dt.date, reached: int, milestones: int) -> bytes:
    """A one-page PDF (plain Latin text, so it needs no font files) with the result's
    facts, as a scanned copy of the document would stand beside it."""
    lines = [
        "Reform Ledger - Huizhou 2016 demo",
        f"Closing evidence for task {code}",
        f"Document dated {day.isoformat()}",
        f"Milestones reached: {reached} of {milestones}",
        "Fictional demo content, not a real government document.",
    ]
    return text_pdf(lines)


def text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF of a few lines of plain Latin text (Helvetica, so it needs no font
    files), with a correct cross-reference table: it opens in any PDF reader."""
    text = " ".join(f"({line}) Tj T*" for line in lines)
    stream = f"BT /F1 12 Tf 56 780 Td 18 TL {text} ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out
