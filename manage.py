#!/usr/bin/env python
"""Django's command-line utility; `reformledger` is the same thing once installed."""

from reformledger.__main__ import main

if __name__ == "__main__":
    main()
