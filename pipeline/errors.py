"""The one base class of library errors meant for the user: the message is Chinese and says
what to do. The CLI turns any of them into a `click.ClickException` (no traceback)."""


class ZwgkError(Exception):
    """A library error whose message is written for the office, not for a developer."""
