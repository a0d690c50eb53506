"""Run by test_delivery.py: deliver the outbox but hang at a chosen point, so the test can kill -9 this process."""

from __future__ import annotations

import json
import smtplib
import sys
import time
from datetime import datetime
from pathlib import Path


def _hang(*_args, **_kwargs):
    print("HANGING", flush=True)
    time.sleep(600)


def main() -> None:
    config, config_path, when, point = (
        json.loads(sys.argv[1]),
        sys.argv[2],
        datetime.fromisoformat(sys.argv[3]),
        sys.argv[4],
    )
    import yuqing.mail.transports as transports

    if point == "after-accept":  # the transport took the message; the row is not yet marked sent
        for cls in (transports.EmlFolder, transports.Smtp):

            def send(self, row, email, _original=cls.send):
                result = _original(self, row, email)
                _hang()
                return result

            cls.send = send
    elif point == "mid-smtp":  # sender and recipients given, the message itself not yet
        smtplib.SMTP.data = _hang
    from yuqing.app import open_app
    from yuqing.config import settings_from_dict
    from yuqing.mail.delivery import deliver_due

    app = open_app(settings_from_dict(config, Path(config_path)), migrate=False)
    deliver_due(app, now=when)


if __name__ == "__main__":
    main()
