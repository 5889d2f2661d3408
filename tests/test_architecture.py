"""The server's packages depend on each other in one direction, and the repository explains
itself: no comment points to a document that is not in it.

Imports are read from the source with `ast`, at module level and inside functions alike, so an
import moved into a function to dodge a cycle still counts.
"""

import ast
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from server import PACKAGES

ROOT = Path(__file__).resolve().parent.parent
SERVER = ROOT / "server"
FACTORY = "server"  # server/__init__.py: create_app imports every package

# Imports that go against the order, each for a reason that is not a cycle being dodged.
ALLOWED = {
    # The RQ worker is its own process: its entry point builds the app it runs the job in.
    ("server/pdf/jobs.py", FACTORY),
    # So are the batch export's worker processes (spawned, not forked).
    ("server/pdf/batch.py", FACTORY),
}
# Imports that stay inside a function on purpose (the app factory's own are all allowed).
LOCAL_ALLOWED = {
    ("server/pdf/jobs.py", FACTORY),
    # WeasyPrint takes a second to import; only processes that render a PDF pay for it.
    ("server/pdf/documents.py", "server.pdf.render"),
    ("server/pdf/batch.py", "server.pdf.render"),
    ("server/reports/blueprint.py", "server.reports.document"),
    ("server/assessments/blueprint.py", "server.assessments.render"),
    ("server/pdf/batch.py", FACTORY),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported(node, module: str, is_package: bool) -> list[str]:
    """The server modules an import statement names, as absolute dotted names."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif node.level == 0:
        names = [node.module] if node.module else []
    else:
        base = module.split(".")
        if not is_package:
            base.pop()
        base = base[:len(base) - (node.level - 1)]
        if node.module:
            names = [".".join([*base, node.module])]
        else:  # from . import operations: each name is a module of that package
            names = [".".join([*base, alias.name]) for alias in node.names]
    return [name for name in names if name == "server" or name.startswith("server.")]


def server_imports():
    """(file, line, importing module, imported module, inside a function) for every import
    of a server module anywhere in server/."""
    found = []
    for path in sorted(SERVER.rglob("*.py")):
        module = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))

        def visit(node, in_function, path=path, module=module):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.Import | ast.ImportFrom):
                    for name in _imported(child, module, path.name == "__init__.py"):
                        found.append((path.relative_to(ROOT).as_posix(), child.lineno, module,
                                      name, in_function))
                visit(child, in_function or isinstance(
                    child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda))

        visit(tree, False)
    return found


def package_of(module: str) -> str:
    """The package a module belongs to: a name from PACKAGES, the factory, or config."""
    parts = module.split(".")
    return FACTORY if len(parts) == 1 else parts[1]


def package_edges() -> dict[tuple[str, str], list[str]]:
    """(importing package, imported package) → where, for imports between two packages."""
    edges = defaultdict(list)
    for file, line, module, name, _local in server_imports():
        source, target = package_of(module), package_of(name)
        if source != target and (file, target) not in ALLOWED:
            edges[(source, target)].append(f"{file}:{line}")
    return edges


def find_cycle(edges) -> list[str] | None:
    graph = defaultdict(set)
    for source, target in edges:
        graph[source].add(target)
    state: dict[str, str] = {}  # "open" while on the current path, "done" after
    path: list[str] = []

    def visit(node):
        state[node] = "open"
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return [*path[path.index(target):], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_import_reader_sees_imports_inside_functions():
    imports = server_imports()
    assert ("server/pdf/jobs.py", "server", True) in {
        (file, name, local) for file, _line, _module, name, local in imports}
    assert {"server.core.db", "server.users.access"} <= {
        name for file, *_rest, name, _local in imports if file == "server/properties/access.py"}


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({("a", "b"): [], ("b", "c"): [], ("c", "a"): [], ("c", "d"): []}) == [
        "a", "b", "c", "a"]
    assert find_cycle({("a", "b"): [], ("b", "c"): [], ("a", "c"): []}) is None


def test_every_package_is_listed_in_the_order():
    on_disk = {path.parent.name for path in SERVER.glob("*/__init__.py")}
    assert on_disk == set(PACKAGES), "list every package once in server.PACKAGES"


def test_no_import_cycle_between_packages():
    edges = package_edges()
    cycle = find_cycle(edges)
    assert cycle is None, "import cycle between packages: " + " → ".join(cycle) + "\n" + "\n".join(
        f"  {a} → {b}: {', '.join(edges[(a, b)])}" for a, b in zip(cycle, cycle[1:], strict=False))


def test_packages_import_only_packages_below_them():
    """A package imports only packages listed before it in server.PACKAGES (and config); a
    lower package lets a higher one take part through a signal, never an import."""
    rank = {name: position for position, name in enumerate(PACKAGES)}
    upward = [f"{source} imports {target}: {', '.join(where)}"
              for (source, target), where in sorted(package_edges().items())
              if source != FACTORY and target != "config"
              and (target not in rank or rank[target] > rank[source])]
    assert not upward, "\n".join(upward)


def test_server_modules_are_imported_at_the_top():
    """Imports inside functions hide a package's real dependencies (they were how cycles were
    dodged); the app factory is the one module that imports its packages when called."""
    local = [f"{file}:{line} imports {name} inside a function"
             for file, line, module, name, in_function in server_imports()
             if in_function and module != FACTORY
             and not any(file == allowed_file and (name == allowed or name.startswith(allowed + "."))
                         for allowed_file, allowed in LOCAL_ALLOWED)]
    assert not local, "\n".join(local)


def test_a_package_init_only_registers_it():
    """A package of several modules keeps its logic in them; its __init__.py has one function,
    init_app, which registers the blueprint, CLI commands and signal receivers."""
    for init in sorted(SERVER.glob("*/__init__.py")):
        if len(list(init.parent.glob("*.py"))) == 1:
            continue  # a one-module package (backup, demo, web) is its __init__.py
        tree = ast.parse(init.read_text(encoding="utf-8"))
        defined = [node.name for node in tree.body
                   if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]
        assert defined == ["init_app"], f"{init.relative_to(ROOT)} defines {defined}"


# Documents that live outside this repository; built from parts so this file does not name them.
OUTSIDE_DOCUMENTS = [name + ".md" for name in ("DESIGN", "STYLE", "GLOSSARY", "TOOLCHAIN")]
RELATIVE_SHARED = re.compile(r"(?:\.\./)+shared[\w./-]*")
SCANNED = ["server", "tests", "docs", "scripts", "bench", "checklists", "pwa/src", "pwa/build",
           "pwa/test", "README.md"]
SKIPPED_DIRS = {"node_modules", "dist", "__pycache__", ".venv"}


def _text_files():
    for entry in SCANNED:
        path = ROOT / entry
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            if SKIPPED_DIRS.isdisjoint(file.relative_to(ROOT).parts):
                try:
                    yield file, file.read_text(encoding="utf-8")
                except UnicodeDecodeError:
                    continue  # images, fonts, archives


def test_no_comment_points_to_a_document_outside_the_repository():
    pointers = []
    for file, text in _text_files():
        for number, line in enumerate(text.splitlines(), start=1):
            where = f"{file.relative_to(ROOT)}:{number}"
            pointers += [f"{where}: {name}" for name in OUTSIDE_DOCUMENTS if name in line]
            for match in RELATIVE_SHARED.finditer(line):
                target = (file.parent / match.group().rstrip(".")).resolve()
                if not target.is_relative_to(ROOT) or not target.exists():
                    pointers.append(f"{where}: {match.group()}")
    assert not pointers, "\n".join(pointers)


def test_the_app_starts_without_weasyprint():
    """WeasyPrint takes a second and tens of megabytes to import: a web process pays for it on
    its first PDF, not at start-up (every PDF path imports its renderer inside the view)."""
    started = subprocess.run(
        [sys.executable, "-c", "import sys; from server import create_app; "
         "create_app({'SQLALCHEMY_DATABASE_URI': 'sqlite://'}); print('weasyprint' in sys.modules)"],
        capture_output=True, text=True, check=True, cwd=ROOT)
    assert started.stdout.strip() == "False"
