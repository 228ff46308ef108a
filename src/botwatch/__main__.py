"""`python -m botwatch ...`: the same commands as the `botwatch` entry point (`cli.main`, which
reports Ctrl-C during the seconds of start-up as one line and exit 130).

Users reach for the package name first; without this file that prints "'botwatch' is a package
and cannot be directly executed".
"""

from botwatch.cli import main

if __name__ == "__main__":
    main()
