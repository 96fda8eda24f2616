"""API of pilots (改革试点) and grassroots innovations (基层创新): every list starts from
the same scoped selector as the pages and every write calls the same service."""
