"""The chaos run at its short setting: phones through a faulty network, server killed twice.

The long setting (≥ 1,000 records, ≥ 2,000 photos, ≥ 5 kills, PostgreSQL, several processes)
is `bench/chaos.py`; its last figures are in bench/README.md.
"""

import pytest

from bench.chaos import compare, run_chaos


@pytest.fixture(scope="module")
def chaos_result(tmp_path_factory):
    return run_chaos("sqlite", devices=4, records_per_device=8, kills=2, workers=2, seed=7,
                     time_limit=240, workdir=tmp_path_factory.mktemp("chaos"))


def test_nothing_lost_or_doubled_under_faults_and_kills(chaos_result):
    result = chaos_result
    assert result["gave_up"] == []
    assert result["records_believed"] == 32 and result["records_stored"] == 32
    assert result["photos_and_signatures"] == 128
    assert (result["lost"], result["duplicated"], result["unexpected"]) == (0, 0, 0)
    assert (result["missing_blobs"], result["hash_mismatches"], result["invalid_seals"]) == (0, 0, 0)
    assert result["kills"] == 2
    # The faults really happened: otherwise this would prove nothing.
    faults = result["faults"]
    assert faults["reset_request"] > 0 and faults["drop_response"] > 0 and faults["duplicate"] > 0
    assert result["retries"] > 0


def test_the_comparison_notices_a_lost_record(tmp_path):
    """Control: a phone that believes in a record the server never got is reported."""
    from bench.chaos import Device, plan_record
    from bench.sync_push import make_database, seed

    url, drop = make_database("sqlite", tmp_path)
    try:
        app, tokens, ids = seed(url, tmp_path, 1)
        phone = Device(tokens[0][0], tokens[0][1], 0, [], 0)
        phone.believed.append(plan_record(tokens[0][0], ids, 0, 1))
        result = compare(app, [phone])
        assert result["lost"] == 1 and result["missing_blobs"] == 4
    finally:
        drop()
