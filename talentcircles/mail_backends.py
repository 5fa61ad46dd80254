"""`EMAIL_URL=file://`: each e-mail saved whole under `var/mail/`, and one line about it on the console.

The embedded run (`make run`) uses it so a send shows as "E-mail to … saved in var/mail/…" instead of
a screenful of MIME between the server's output; the saved files are what the console backend
printed, one file per connection, for anyone who wants to read the message itself.
"""

from __future__ import annotations

import sys

from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend


class SummaryFileBackend(FileEmailBackend):
    def write_message(self, message) -> None:
        super().write_message(message)
        recipients = ", ".join(message.recipients())
        saved_in = self._get_filename()  # type: ignore[attr-defined]  # Django's, missing from django-stubs
        print(f"E-mail to {recipients}: “{message.subject}” (saved in {saved_in})", file=sys.stderr)
