"""Work-points documents for tests and the benchmark, built with python-docx in memory
in the shapes offices send them (no binary file is committed)."""

import io

from docx import Document


def docx(paragraphs, *, tables=None) -> bytes:
    """A .docx of `paragraphs` — text, or (bold opening, rest) — with `tables` (rows of
    cells) placed after the paragraph whose index is their key."""
    document = Document()
    tables = tables or {}
    for index, paragraph in enumerate(paragraphs):
        if isinstance(paragraph, tuple):
            bold, rest = paragraph
            p = document.add_paragraph()
            p.add_run(bold).bold = True
            p.add_run(rest)
        else:
            document.add_paragraph(paragraph)
        if index in tables:
            rows = tables[index]
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            for r, row in enumerate(rows):
                for c, text in enumerate(row):
                    table.rows[r].cells[c].text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


TITLE = "惠州市2022年全面深化改革工作要点"

#: Three levels of headings (一、 / （一） / 1.), units in brackets at the items' end in
#: the three usual wordings, several deadlines in one item, numeric targets.
TREE = [
    TITLE,
    "惠市改〔2022〕3号",
    "2022年是实施“十四五”规划承上启下的关键之年。现提出以下工作要点：",
    "一、经济体制改革",
    "（一）深化国资国企改革",
    (
        "1. 深化国有企业改革。",
        "完善国资监管体制，2022年10月底前编制并公布国企改革清单，年底前完成改制。"
        "（市国资委牵头，市财政局、各县（区）政府配合）",
    ),
    "2. 推进投资审批制度改革。优化审批流程，上半年出台实施方案。"
    "（市发展改革局、市财政局牵头，市级各有关部门及各县（区）政府按职责分工负责）",
    "（二）稳住经济大盘",
    "3. 地区生产总值增长6.2%左右，一般公共预算收入增长5%。"
    "（牵头单位：市发展改革局；配合单位：市财政局）",
    "二、社会体制改革",
    "（一）医药卫生",
    "4. 深化医药卫生体制改革。2022年9月30日前出台实施意见。（惠阳区负责）",
    "中共惠州市委全面深化改革委员会办公室",
    "2022年3月15日",
]

#: Units on lines of their own under each item, as county documents write them.
LABELLED = [
    "惠阳区2022年重点改革任务分解和责任分工方案",
    "一、优化营商环境",
    "1. 持续推进“放管服”改革",
    "深化“一网通办”，打造一流营商环境。",
    "牵头单位：市发展改革局",
    "责任单位：博罗县，各街道、市直各部门",
    "2. 推进数字政府建设",
    "2022年9月底前上线一体化政务服务平台。",
    "牵头单位：市政数局",
    "配合单位：市财政局  完成时限：2022年9月底前",
]

#: A task-decomposition table inside the Word file.
TABLE_HEAD = ["序号", "工作任务", "牵头单位", "配合单位", "完成时限"]
TABLE = [
    "2022年生态文明体制改革任务分解表",
    "一、生态文明体制改革",
]
TABLE_ROWS = [
    TABLE_HEAD,
    ["1", "建立生态保护补偿机制", "市财政局", "市生态环境局、惠阳区", "2022年12月底前"],
    ["2", "开展排污权有偿使用和交易试点", "市生态环境局", "", "三季度末"],
    ["3", "推行河长制", "市水务局", "各县（区）政府", "持续推进"],
]

#: The same kind of document in traditional characters.
TRADITIONAL = [
    "惠州市2022年全面深化改革工作要點",
    "一、生態文明體制改革",
    "1. 全面推行河長制。建立市縣鎮村四級河長體系，2022年6月底前實現全覆蓋。"
    "（市水務局牽頭，各縣（區）政府負責）",
    "2. 健全生態環境監管體制。年底前完成機構改革。（市生態環境局牽頭，市財政局配合）",
]

#: What the reader cannot place: an item with no units, a paragraph that reads like an
#: item outside the numbering, a deadline no calendar names.
UNPLACED = [
    "惠州市2022年改革工作要点",
    "一、经济体制改革",
    "1. 推进要素市场化配置改革。年底前出台实施方案。",
    "2. 深化农村集体产权制度改革。春节前完成清产核资。（惠阳区牵头）",
    "（市财政局牵头）",
    "另外，推进农村信用体系建设，2022年10月底前完成（市发展改革局负责）。",
]


def many_items(count: int, *, year: int = 2022) -> bytes:
    """A document of `count` items under ten headings, each with its units and deadline."""
    paragraphs = [f"惠州市{year}年全面深化改革工作要点"]
    per = max(count // 10, 1)
    cn = "一二三四五六七八九十"
    for n in range(count):
        if n % per == 0 and n // per < 10:
            paragraphs.append(f"{cn[n // per]}、第{n // per + 1}组改革任务")
        month = n % 12 + 1
        paragraphs.append(
            f"{n + 1}. 推进第{n + 1}项改革任务。完善相关制度机制，"
            f"{year}年{month}月底前出台实施方案，年底前总结评估。"
            "（市发展改革局牵头，市财政局、各县（区）政府配合）"
        )
    return docx(paragraphs)
