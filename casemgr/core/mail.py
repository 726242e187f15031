"""Handing e-mail to the mail server so that a crash loses nothing and repeats (almost) nothing.

A reminder is marked sent in a database transaction. The mail server and the database
cannot commit together, so there is always an instant between "the server holds the
message" and "the commit reached the database": a worker killed there sends the message
again on the next sweep. Putting the commit first would instead lose it, which for a
deadline is worse. `Postman.hand_over` shrinks that instant to a few instructions: it
writes the whole SMTP transaction, up to the final dot, and returns without waiting for the
server's answer (one network round trip less); the caller commits, and only then reads the
answer with `Delivery.confirm()`. If the server refuses the message, the caller undoes its
mark. A message keeps the same Message-ID when repeated, so mail systems that collapse
repeats show it once. Backends other than SMTP (the test outbox, the console) just send.
"""

from __future__ import annotations

import re
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address

_LEADING_DOT = re.compile(rb"(?m)^\.")


class DeliveryRefused(Exception):
    """The mail server did not accept a message."""


@dataclass
class Delivery:
    connection: smtplib.SMTP | None = None

    def confirm(self) -> None:
        """Read the server's answer to a handed-over message; raise if it was refused."""
        if self.connection is None:
            return
        code, answer = self.connection.getreply()
        if code != 250:
            raise DeliveryRefused(f"{code} {answer.decode(errors='replace')}"[:300])


class Postman:
    """One connection to the mail server, reused for every message of a sweep."""

    def __init__(self):
        self.backend = get_connection()

    def __enter__(self) -> Postman:
        return self  # connect only once there is something to send

    def __exit__(self, *exc) -> None:
        self.backend.close()

    def reset(self) -> None:
        """Drop the connection after a failure; the next message opens a fresh one."""
        self.backend.close()

    def hand_over(self, message: EmailMessage) -> Delivery:
        if not isinstance(self.backend, SMTPBackend):
            self.backend.send_messages([message])
            return Delivery()
        if self.backend.connection is None:
            self.backend.open()
        smtp = self.backend.connection
        smtp.ehlo_or_helo_if_needed()
        encoding = message.encoding or settings.DEFAULT_CHARSET
        sender = sanitize_address(message.from_email, encoding)
        recipients = [sanitize_address(to, encoding) for to in message.recipients()]
        body = message.message().as_bytes(linesep="\r\n")
        self._expect(smtp.mail(sender), {250})
        for recipient in recipients:
            self._expect(smtp.rcpt(recipient), {250, 251})
        smtp.putcmd("data")
        self._expect(smtp.getreply(), {354})
        data = _LEADING_DOT.sub(b"..", body)
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        smtp.send(data + b".\r\n")
        return Delivery(connection=smtp)

    @staticmethod
    def _expect(reply: tuple[int, bytes], codes: set[int]) -> None:
        code, answer = reply
        if code not in codes:
            raise DeliveryRefused(f"{code} {answer.decode(errors='replace')}"[:300])
