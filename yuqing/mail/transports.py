"""Ways out for an e-mail: an SMTP server, or a folder of .eml files written atomically, one per Message-ID."""

from __future__ import annotations

import mimetypes
import os
import re
import smtplib
import ssl
import tempfile
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from yuqing.db.models import OutboxMessage
from yuqing.settings_model import MailSettings


class DeliveryError(Exception):
    """A message could not be delivered now; `permanent` ones are not retried."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def build_email(row: OutboxMessage, sender: str) -> EmailMessage:
    """The MIME message of an outbox row: plain text plus HTML, with the row's stable Message-ID."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = ", ".join(row.recipients)
    email["Subject"] = " ".join(row.subject.split())
    email["Date"] = format_datetime(row.created_at)
    email["Message-ID"] = row.message_id
    email["X-Yuqing-Kind"] = row.kind
    if row.event_id is not None:
        email["X-Yuqing-Event"] = str(row.event_id)
    email.set_content(row.body_text, charset="utf-8")
    if row.body_html:
        email.add_alternative(row.body_html, subtype="html", charset="utf-8")
    for name in (row.payload or {}).get("attachments", []):
        _attach(email, Path(name))
    return email


def _attach(email: EmailMessage, path: Path) -> None:
    """Attach a file named in payload["attachments"] (reports); a missing file will not come back."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DeliveryError(f"附件无法读取:{path}({exc.strerror})", permanent=True) from exc
    kind, _ = mimetypes.guess_type(path.name)
    maintype, subtype = (kind or "application/octet-stream").split("/", 1)
    email.add_attachment(data, maintype=maintype, subtype=subtype, filename=path.name)


def eml_name(message_id: str) -> str:
    """The file name of a message in the outbox folder: its Message-ID, made safe for any file system."""
    return re.sub(r"[^A-Za-z0-9._@-]", "_", message_id.strip("<>")) + ".eml"


class EmlFolder:
    """Writes each message as <message-id>.eml; the name is the idempotency key, so a retry never adds a file.

    `durable = False` skips the fsync (the demo's generated history writes thousands of throwaway mails)."""

    durable = True

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def __enter__(self) -> EmlFolder:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc) -> None:
        return None

    def send(self, row: OutboxMessage, email: EmailMessage) -> str:
        target = self.folder / eml_name(row.message_id)
        if target.exists():
            return f"已存在 {target.name}"
        handle, temp = tempfile.mkstemp(prefix=".tmp-", suffix=".eml", dir=self.folder)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(email.as_bytes())
                out.flush()
                if self.durable:
                    os.fsync(out.fileno())
            os.replace(temp, target)  # atomic: readers see the whole file or none
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return target.name


class Smtp:
    """One SMTP connection for a delivery round (plain, STARTTLS or SSL, with optional login)."""

    def __init__(self, conf: MailSettings):
        self.conf = conf
        self.client: smtplib.SMTP | None = None

    def __enter__(self) -> Smtp:
        conf = self.conf
        try:
            if conf.smtp_ssl:
                self.client = smtplib.SMTP_SSL(
                    conf.smtp_host, conf.smtp_port, timeout=conf.smtp_timeout, context=ssl.create_default_context()
                )
            else:
                self.client = smtplib.SMTP(conf.smtp_host, conf.smtp_port, timeout=conf.smtp_timeout)
                if conf.smtp_starttls:
                    self.client.starttls(context=ssl.create_default_context())
            if conf.smtp_user:
                self.client.login(conf.smtp_user, conf.smtp_password)
        except smtplib.SMTPAuthenticationError as exc:
            self.__exit__()
            raise DeliveryError(f"SMTP 登录失败:{exc.smtp_code} {exc.smtp_error!r}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.__exit__()
            raise DeliveryError(f"无法连接 SMTP 服务器 {conf.smtp_host}:{conf.smtp_port}:{exc}") from exc
        return self

    def __exit__(self, *exc) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (OSError, smtplib.SMTPException):
                self.client.close()
            self.client = None

    def send(self, row: OutboxMessage, email: EmailMessage) -> str:
        assert self.client is not None
        try:
            refused = self.client.send_message(email, from_addr=self.conf.sender, to_addrs=list(row.recipients))
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"收件人全部被拒绝:{exc.recipients}", permanent=True) from exc
        except smtplib.SMTPResponseException as exc:
            # 5xx is the server's final word; 4xx and dropped connections are worth another try.
            raise DeliveryError(f"SMTP {exc.smtp_code} {exc.smtp_error!r}", permanent=exc.smtp_code >= 500) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"SMTP 发送失败:{exc}") from exc
        return f"部分收件人被拒绝:{refused}" if refused else "已投递"


def email_transport(conf: MailSettings) -> Smtp | EmlFolder:
    """SMTP when smtp_host is set, else the .eml outbox folder."""
    return Smtp(conf) if conf.smtp_host else EmlFolder(conf.outbox_dir)
