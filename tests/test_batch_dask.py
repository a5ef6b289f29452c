"""``engine="dask"`` gives byte-identical results and errors, and the same counts, as the local engine.

The cluster is a ``distributed.LocalCluster`` of 2 single-threaded workers with
``processes=False`` (threads in this process): the partition tasks are the same functions a
process worker runs, and the test does not pay for compiling the rulesets in two new processes.
One slow test runs the default path (a temporary process cluster) and checks it shuts down.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from batch_support import Corpus, assert_consistent, build_corpus, comparable, summary
from intygscheck.batch.runner import CHECKING, BatchOptions, run_batch

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return build_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    local = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    )
    try:
        yield local
    finally:
        local.close()
    assert local.status.name == "closed"


def test_dask_engine_gives_the_same_outputs_as_the_local_engine(
    corpus: Corpus, cluster: object, tmp_path: Path
) -> None:
    local, remote = tmp_path / "local", tmp_path / "dask"
    run_batch(corpus.inputs, local, BatchOptions(jobs=2, partitions=8, reports=False))
    calls: list[tuple[str, int, int | None]] = []
    address = cluster.scheduler_address  # type: ignore[attr-defined]
    options = BatchOptions(jobs=2, partitions=8, engine="dask", scheduler=address, reports=False)
    data = run_batch(corpus.inputs, remote, options, progress=lambda *call: calls.append(call))
    assert_consistent(remote)
    assert data["complete"] and data["options"]["engine"] == "dask"
    assert (data["results"], data["errors"]) == (corpus.results, corpus.errors)
    for name in ("results.ndjson", "errors.ndjson"):
        assert (remote / name).read_bytes() == (local / name).read_bytes(), name
    assert comparable(summary(remote)) == comparable(summary(local))
    checking = [done for phase, done, _ in calls if phase == CHECKING]
    assert checking == sorted(checking) and checking[-1] == corpus.results + data["errors_checking"]


def test_dask_engine_resumes_a_run_the_local_engine_started(
    corpus: Corpus, cluster: object, tmp_path: Path
) -> None:
    reference = tmp_path / "reference"
    run_batch(corpus.inputs, reference, BatchOptions(jobs=1, partitions=8, reports=False))

    def stop(phase: str, done: int, total: int | None) -> None:
        if phase == CHECKING and done > 0:
            raise KeyboardInterrupt

    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        run_batch(corpus.inputs, out, BatchOptions(jobs=1, partitions=8, reports=False), progress=stop)
    assert summary(out)["complete"] is False
    address = cluster.scheduler_address  # type: ignore[attr-defined]
    run_batch(
        corpus.inputs,
        out,
        BatchOptions(jobs=2, partitions=8, engine="dask", scheduler=address, reports=False),
    )
    assert (out / "results.ndjson").read_bytes() == (reference / "results.ndjson").read_bytes()
    assert comparable(summary(out)) == comparable(summary(reference))


@pytest.mark.slow
def test_default_dask_engine_starts_and_closes_its_own_local_cluster(tmp_path: Path) -> None:
    import psutil

    from batch_support import FIXTURE_XML

    def workers() -> set[int]:  # multiprocessing's resource tracker lives as long as this process
        children = psutil.Process().children(recursive=True)
        return {c.pid for c in children if c.is_running() and "resource_tracker" not in " ".join(c.cmdline())}

    before = workers()
    local, remote = tmp_path / "local", tmp_path / "dask"
    run_batch([FIXTURE_XML], local, BatchOptions(jobs=1, partitions=4, reports=False))
    data = run_batch([FIXTURE_XML], remote, BatchOptions(jobs=2, partitions=4, engine="dask", reports=False))
    assert data["complete"] and data["results"] == 17
    assert (remote / "results.ndjson").read_bytes() == (local / "results.ndjson").read_bytes()
    assert workers() <= before
