"""Read a user's labelled history (CSV or XLSX) for training, with clear Chinese errors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class DatasetError(ValueError):
    """A labelled file that cannot be used for training; the message is Chinese and names the file."""


@dataclass(frozen=True)
class LabelledTexts:
    """Texts and their labels, rows without either dropped (and counted)."""

    texts: list[str]
    labels: list[str]
    dropped: int


_ENCODINGS = ("utf-8-sig", "gb18030")


def _read_table(path: Path):
    import pandas as pd

    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        try:
            return pd.read_excel(path, dtype=str)
        except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
            raise DatasetError(f"{path}: 无法读取 Excel 文件（{exc}）") from exc
    if suffix not in (".csv", ".txt", ".tsv"):
        raise DatasetError(f"{path}: 不支持的文件类型 “{suffix or '无扩展名'}”，应为 .csv 或 .xlsx")
    separator = "\t" if suffix == ".tsv" else ","
    last_error: Exception | None = None
    for encoding in _ENCODINGS:
        try:
            return pd.read_csv(path, dtype=str, encoding=encoding, sep=separator, keep_default_na=False)
        except UnicodeDecodeError as exc:
            last_error = exc
        except pd.errors.EmptyDataError as exc:
            raise DatasetError(f"{path}: 文件为空") from exc
        except pd.errors.ParserError as exc:
            raise DatasetError(f"{path}: CSV 格式错误（{exc}）") from exc
    raise DatasetError(f"{path}: 无法识别文件编码（已尝试 UTF-8 与 GB18030）：{last_error}")


def read_labelled(
    path: str | Path, text_column: str, label_column: str, title_column: str | None = None
) -> LabelledTexts:
    """Texts and labels from a CSV or XLSX file; the title, if given, is put in front of the text."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: 文件不存在")
    if path.stat().st_size == 0:
        raise DatasetError(f"{path}: 文件为空")
    table = _read_table(path)
    if table.empty:
        raise DatasetError(f"{path}: 文件中没有数据行")
    columns = [str(column) for column in table.columns]
    for role, column in (("文本列", text_column), ("标签列", label_column), ("标题列", title_column)):
        if column and column not in columns:
            raise DatasetError(f"{path}: 找不到{role} “{column}”；文件中的列为：{'、'.join(columns)}")
    texts: list[str] = []
    labels: list[str] = []
    dropped = 0
    for _, row in table.iterrows():
        text = _cell(row[text_column])
        if title_column:
            text = f"{_cell(row[title_column])}\n{text}".strip()
        label = _cell(row[label_column])
        if not text or not label:
            dropped += 1
            continue
        texts.append(text)
        labels.append(label)
    if not texts:
        raise DatasetError(f"{path}: 没有同时包含文本与标签的行")
    if len(set(labels)) < 2:
        raise DatasetError(f"{path}: 标签列 “{label_column}” 只有一种取值，至少需要两类才能训练")
    return LabelledTexts(texts, labels, dropped)


def _cell(value) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    return "" if text.lower() == "nan" else text
