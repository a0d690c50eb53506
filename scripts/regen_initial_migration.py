"""Development only, before the first release: rebuild the initial migration from the models, keeping the
hand-written parts (docstring, append-only audit-log triggers)."""

import shutil
import tempfile
from pathlib import Path

from alembic import command

from yuqing.db.engine import make_engine
from yuqing.db.migrate import MIGRATIONS_DIR, alembic_config

target = MIGRATIONS_DIR / "versions" / "0001_initial_schema.py"
old = target.read_text(encoding="utf-8")
backup = Path(tempfile.mkdtemp()) / target.name
shutil.move(target, backup)
engine = make_engine(f"sqlite:///{tempfile.mkdtemp()}/m.db")
command.revision(alembic_config(engine), message="initial schema", autogenerate=True, rev_id="0001_initial_schema")
generated = MIGRATIONS_DIR / "versions" / "0001_initial_schema_initial_schema.py"
new = generated.read_text(encoding="utf-8")
generated.unlink()
new = old[: old.index("Revision ID")] + new[new.index("Revision ID") :]
new = new.replace(
    "    # ### end Alembic commands ###\n", "    # ### end Alembic commands ###\n    _protect_audit_log()\n", 1
)
new = new.replace(
    "def downgrade() -> None:\n",
    'def downgrade() -> None:\n    if op.get_bind().dialect.name == "postgresql":\n'
    '        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")\n'
    '        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")\n',
    1,
)
new += old[old.index("\n\ndef _protect_audit_log") :]
target.write_text(new, encoding="utf-8")
print("rewrote", target)
