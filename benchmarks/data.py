"""The data of each size: generated once into benchmarks/.data/<key>/, then copied for each run.

The cache key holds the size, the generator's version, dlstudy's schema head, the Anki version
and, for the shipped size, a hash of the shipped guide: a change to any of them regenerates.
Each run works on fresh copies (benchmarks/.data/work/<size>/), so the cache stays pristine.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import anki_side
import generate

DATA = Path(__file__).resolve().parent / ".data"


@dataclass
class Prepared:
    size: str
    guide: Path | None  # None: the shipped guide, dlstudy's default
    home: Path  # DLSTUDY_HOME for the whole-process runs
    answer_home: Path  # DLSTUDY_HOME for the in-process answers (a second copy)
    anki: Path
    answer_anki: Path
    info: dict


def _anki_version() -> str:
    from anki.buildinfo import version

    return version


def _key(size: generate.Size) -> str:
    from dlstudy import paths
    from dlstudy.storage import engine as db

    key = f"{size.name}-g{generate.GENERATOR_VERSION}-schema{db.HEAD}-anki{_anki_version()}"
    if not size.synthetic:
        key += "-" + hashlib.sha256(paths.shipped_guide().read_bytes()).hexdigest()[:10]
    return key


def _generate(size: generate.Size, folder: Path) -> dict:
    from dlstudy import paths
    from dlstudy.guide.reader import load_guide

    started = time.perf_counter()
    if size.synthetic:
        print(f"  writing a guide of {size.topics:,} topics", flush=True)
        generate.write_guide(folder / "guide.yaml", size.topics)
        guide_path = folder / "guide.yaml"
    else:
        guide_path = paths.shipped_guide()
    guide = load_guide(guide_path)  # dlstudy's own validation
    print(f"  simulating the histories of {max(size.cards or 0, sum(1 for _ in guide.cards)):,} cards", flush=True)
    plans = generate.plan_cards(guide, total=size.cards)
    print("  writing the dlstudy database", flush=True)
    generate.write_database(folder / "dlstudy.db", guide, plans)
    print("  building the Anki collection", flush=True)
    anki_info = anki_side.build(folder / "anki.anki2", plans, generate.NOW)
    states = {}
    for plan in plans:
        states[plan.state] = states.get(plan.state, 0) + 1
    overdue = sum(1 for p in plans if p.state == generate.REVIEW and p.due < generate.NOW)
    return {"topics": len(guide.topics), "cards": len(plans), "logs": sum(len(p.logs) for p in plans),
            "new": states.get(0, 0), "learning": states.get(1, 0), "review": states.get(2, 0),
            "relearning": states.get(3, 0), "overdue": overdue, "anki": anki_info,
            "guide_bytes": guide_path.stat().st_size, "seconds": round(time.perf_counter() - started, 1)}


def cached(name: str) -> tuple[Path, dict]:
    size = generate.SIZES[name]
    folder = DATA / _key(size)
    done = folder / "info.json"
    if not done.exists():
        print(f"generating the {name} data into {folder} (once)", flush=True)
        building = folder.with_name(folder.name + ".partial")
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir(parents=True)
        info = _generate(size, building)
        (building / "info.json").write_text(json.dumps(info, indent=2))
        shutil.rmtree(folder, ignore_errors=True)
        building.rename(folder)
        print(f"  done in {info['seconds']:.0f} s", flush=True)
    return folder, json.loads(done.read_text())


def _copy_database(source: Path, home: Path) -> None:
    home.mkdir(parents=True)
    shutil.copyfile(source, home / "dlstudy.db")


def prepare(name: str) -> Prepared:
    """Fresh working copies of one size's data, the Anki ones moved to the real time of this run."""
    folder, info = cached(name)
    work = DATA / "work" / name
    shutil.rmtree(work, ignore_errors=True)
    _copy_database(folder / "dlstudy.db", work / "home")
    _copy_database(folder / "dlstudy.db", work / "answer-home")
    now = time.time()
    anki_side.rebase(folder / "anki.anki2", work / "anki.anki2", info["anki"], now)
    anki_side.rebase(folder / "anki.anki2", work / "answer.anki2", info["anki"], now)
    guide = folder / "guide.yaml" if generate.SIZES[name].synthetic else None
    return Prepared(name, guide, work / "home", work / "answer-home", work / "anki.anki2",
                    work / "answer.anki2", info)
