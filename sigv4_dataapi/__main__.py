"""``python -m sigv4_dataapi`` runs the command-line interface."""

from sigv4_dataapi._cli.main import console_main

if __name__ == "__main__":
    console_main()
