"""Supervision's own documents: the order (督办单) and the leading-group minutes as
Word files in the official layout, and the year's supervision workbook (Excel).

They use the shared machinery of `reformledger.exchange` (layout, writing helpers);
see docs/decisions/0007-documents-live-in-their-domain.md.
"""
