"""`flask --app server demo`: a working system to click through, from the seeds' properties."""

import random
from datetime import timedelta
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from server.checklists.operations import load_checklists
from server.core.db import db, today_in
from server.properties.models import Key, Property, Renovation, RenovationStatus, Unit
from server.users.models import User
from server.users.operations import create_user, set_memberships

# The three properties named in seed 003 (关于客服的管理安排方案).
PROPERTIES = [
    ("binhewan-west", "滨河湾河西", "Binhewan West"),
    ("binhewan-east", "滨河湾河东", "Binhewan East"),
    ("guangchang-jiayuan", "广场家园", "Guangchang Jiayuan"),
]
# username, display name, role, property codes, key keeper at
USERS = [
    ("patrol1", "李巡查", "patrol", ["binhewan-west", "binhewan-east"], ["binhewan-west"]),
    ("patrol2", "王晓燕", "patrol", ["guangchang-jiayuan"], ["guangchang-jiayuan"]),
    ("supervisor1", "张主管", "supervisor", ["binhewan-west", "binhewan-east"], []),
    ("supervisor2", "陈主管", "supervisor", ["guangchang-jiayuan"], []),
    ("manager1", "刘经理", "manager", [], []),
    ("admin", "系统管理员", "admin", [], []),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
CONTRACTORS = ["鑫诚装饰", "美居装修", "匠心家装", "华艺装饰工程", "安居装修队"]
KEY_KINDS = ["入户门钥匙 ×2", "入户门钥匙 ×1", "信报箱钥匙", "车库门钥匙", "地下室储藏间钥匙"]
BUILDINGS, ENTRANCES, FLOORS, ROOMS_PER_FLOOR = 6, 2, 11, 2


def create_demo_data(password: str) -> dict:
    """Idempotent: what exists already (by code / username) is left as it is."""
    rng = random.Random(2026)
    counts = {"properties": 0, "units": 0, "renovations": 0, "keys": 0, "users": 0}
    properties = {}
    for code, name, name_en in PROPERTIES:
        prop = db.session.scalar(sa.select(Property).filter_by(code=code))
        if prop is None:
            prop = Property(code=code, name=name, name_en=name_en,
                            timezone=current_app.config["DEFAULT_TIMEZONE"])
            db.session.add(prop)
            db.session.flush()
            _fill_registers(prop, rng, counts)
            counts["properties"] += 1
        properties[code] = prop
    for username, display_name, role, codes, keeper_at in USERS:
        if db.session.scalar(sa.select(User.id).filter_by(username=username)):
            continue
        user = create_user(username, password, display_name, role)
        set_memberships(user, {properties[c].id: c in keeper_at for c in codes})
        counts["users"] += 1
    db.session.flush()
    return counts


def _person(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _fill_registers(prop: Property, rng: random.Random, counts: dict):
    units = []
    for building in range(1, BUILDINGS + 1):
        for entrance in range(1, ENTRANCES + 1):
            for floor in range(1, FLOORS + 1):
                for door in range(1, ROOMS_PER_FLOOR + 1):
                    units.append(Unit(
                        property_id=prop.id, building=str(building), entrance=str(entrance),
                        room=f"{floor}{door:02d}", owner_name=_person(rng),
                        owner_phone=f"13{rng.randrange(10**8, 10**9)}",
                        is_key_customer=rng.random() < 0.03, is_occupied=rng.random() < 0.9))
    db.session.add_all(units)
    db.session.flush()
    today = today_in()
    for index, unit in enumerate(rng.sample(units, 10)):
        active = index < 7
        start = today - timedelta(days=rng.randrange(3, 40) if active else rng.randrange(90, 200))
        db.session.add(Renovation(
            property_id=prop.id, unit=unit, permit_no=f"ZX{today.year}-{prop.id}{index + 1:03d}",
            contractor_name=rng.choice(CONTRACTORS),
            contractor_phone=f"139{rng.randrange(10**7, 10**8)}",
            permit_start=start, permit_end=start + timedelta(days=90),
            status=RenovationStatus.ACTIVE if active else RenovationStatus.COMPLETED))
    for index, unit in enumerate(rng.sample(units, 40)):
        lent = index % 9 == 0
        db.session.add(Key(property_id=prop.id, tag_no=f"K{index + 1:03d}", unit=unit,
                           description=rng.choice(KEY_KINDS),
                           status="lent" if lent else "in_custody",
                           holder=rng.choice(CONTRACTORS) if lent else None))
    counts["units"] += len(units)
    counts["renovations"] += 10
    counts["keys"] += 40


@click.command("demo")
@click.option("--password", default=None, help="Password for the demo users.")
@with_appcontext
def demo_command(password):
    """Create demo properties, registers, users and publish the checklists."""
    password = password or current_app.config["DEMO_PASSWORD"]
    results = load_checklists(Path(current_app.config["CHECKLISTS_DIR"]))
    counts = create_demo_data(password)
    db.session.commit()
    for result in results:
        click.echo(f"checklist {result.code} v{result.version}: {result.outcome}")
    click.echo("created: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    click.echo("demo users: " + ", ".join(u[0] for u in USERS) + f"  password: {password}")


def init_app(app):
    app.cli.add_command(demo_command)
