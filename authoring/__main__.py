"""``python -m authoring``: the same as the ``authoring`` command."""

from authoring.cli import main

if __name__ == "__main__":
    main()
