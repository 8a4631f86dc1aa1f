"""Print the shape of the code: import arrows between top-level folders, the largest modules and functions.

`python bench/shape.py` (from the repository root). An arrow `skills -> store  37` means 37 import
statements in `skills/` name a module in `store/`. The folders are the packages pyproject.toml installs
(tests, benchmarks, infra and the e2e check are left out: the figures are about the application).
"""

from __future__ import annotations

import ast
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_FIND = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]["find"]
PACKAGES = tuple(sorted(pattern.rstrip("*") for pattern in _FIND["include"]))
TOP = 12


def _modules() -> list[Path]:
    files = [ROOT / "app.py"]
    for package in PACKAGES:
        files.extend(sorted((ROOT / package).rglob("*.py")))
    return files


def _folder(path: Path) -> str:
    relative = path.relative_to(ROOT)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _imported_folders(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return [name.split(".")[0] for name in names if name.split(".")[0] in PACKAGES]


def _functions(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.append((node.end_lineno - node.lineno + 1, node.name))  # type: ignore[operator]
    return found


def main() -> None:
    arrows: Counter[tuple[str, str]] = Counter()
    modules: list[tuple[int, str]] = []
    functions: list[tuple[int, str]] = []
    for path in _modules():
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        name = str(path.relative_to(ROOT))
        modules.append((len(source.splitlines()), name))
        functions.extend((length, f"{name}:{function}") for length, function in _functions(tree))
        source_folder = _folder(path)
        arrows.update((source_folder, target) for target in _imported_folders(tree) if target != source_folder)
    print("import arrows between top-level folders (import statements):")
    for (source_folder, target), count in sorted(arrows.items()):
        print(f"  {source_folder:>10} -> {target:<10} {count:4d}")
    print(f"  {len(arrows)} arrows, {sum(arrows.values())} imports")
    print(f"largest modules (lines), of {len(modules)}:")
    for length, name in sorted(modules, reverse=True)[:TOP]:
        print(f"  {length:5d}  {name}")
    print(f"largest functions (lines), of {len(functions)}:")
    for length, name in sorted(functions, reverse=True)[:TOP]:
        print(f"  {length:5d}  {name}")


if __name__ == "__main__":
    main()
