#!/usr/bin/env bash
# Installs Debian's LibreOffice Writer (no GUI) and poppler-utils for the report layout test, which converts the
# monthly report's .docx to PDF and looks at the pages. Without them (no root, no apt) that test is skipped with a
# clear reason; the rest still runs.
set -u
if command -v soffice >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "提示:未找到 LibreOffice/pdftoppm,且无法自动安装(需要 root 和 apt-get);报告版式测试将跳过。" >&2
  exit 0
fi
echo "正在安装 libreoffice-writer-nogui 和 poppler-utils(报告版式测试用)……" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui \
  poppler-utils >/dev/null || echo "警告:LibreOffice 安装失败,报告版式测试将跳过。" >&2
exit 0
