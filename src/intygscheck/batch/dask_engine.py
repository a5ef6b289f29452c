"""Run the check phase of a batch on a Dask cluster.

Partitions are independent (each holds all certificates of its patients), so each becomes
one Dask task; workers read and write the partition files directly, which therefore must be
on storage the workers share (the local disk for a ``LocalCluster``). Outputs are assembled
in partition order afterwards, so they are identical to a local run's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .evaluate import PartitionJob, PartitionOutcome, evaluate_partition


def run_on_dask(
    jobs: Sequence[PartitionJob],
    scheduler: str | None,
    on_done: Callable[[PartitionOutcome], None],
    *,
    workers: int = 2,
) -> None:
    """Check ``jobs`` on the cluster at ``scheduler`` (None: a temporary ``LocalCluster`` of
    ``workers`` single-threaded worker processes, closed afterwards)."""
    from distributed import Client, LocalCluster, as_completed

    if not jobs:
        return
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
    try:
        with Client(cluster if cluster is not None else scheduler) as client:  # type: ignore[no-untyped-call]
            futures = client.map(evaluate_partition, list(jobs), pure=False)
            try:
                for future in as_completed(futures):  # type: ignore[no-untyped-call]
                    on_done(future.result())
            finally:
                client.cancel(futures)
    finally:
        if cluster is not None:
            cluster.close()
