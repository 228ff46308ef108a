"""`python -m botwatch.cli ...`: the same commands as the `botwatch` entry point (`cli.main`)."""

from botwatch.cli import main

if __name__ == "__main__":
    main()
