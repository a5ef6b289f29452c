"""Run the check phase of a batch on a Dask cluster.

Partitions are independent (each holds all certificates of its patients), so each becomes
one Dask task; workers read and write the partition files directly, which therefore must be
on storage the workers share (the local disk for a ``LocalCluster``). Outputs are assembled
in partition order afterwards, so they are identical to a local run's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .evaluate import PartitionJob, evaluate_partition


def run_on_dask(jobs: Sequence[PartitionJob], scheduler: str | None, on_done: Callable[[int], None]) -> None:
    """Check ``jobs`` on the cluster at ``scheduler`` (None: a temporary ``LocalCluster``)."""
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster if cluster is not None else scheduler)
    try:
        futures = client.map(evaluate_partition, list(jobs), pure=False)
        for done, future in enumerate(as_completed(futures), start=1):
            future.result()
            on_done(done)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
