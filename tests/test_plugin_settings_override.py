"""A test module may override the plugin's ``ecs_mock_settings`` fixture for all its tests."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from conftest import RequestsDriver, expect_error, run_instance, system_disk


@pytest.fixture
def ecs_mock_settings() -> Dict[str, Any]:
    return {"snapshot_quota": 1, "initialization_seconds": 0}


def test_module_settings_reach_behaviour(ecs_mock):
    assert (ecs_mock.settings.snapshot_quota, ecs_mock.settings.initialization_seconds) == (1, 0)
    driver = RequestsDriver()
    disk_id = system_disk(driver, run_instance(driver))
    driver.call("CreateSnapshot", DiskId=disk_id)  # no initialisation window
    ecs_mock.advance_clock(60)
    expect_error(lambda: driver.call("CreateSnapshot", DiskId=disk_id), "QuotaExceed.Snapshot",
                 "The maximum number of snapshots is exceeded.", 403)


@pytest.mark.mock_ecs(snapshot_quota=2)
def test_marker_overrides_the_module_settings(ecs_mock):
    assert (ecs_mock.settings.snapshot_quota, ecs_mock.settings.initialization_seconds) == (2, 0)
