// Each test collection starts a whole shop (four apps, four sidecars); two at once on a two-core machine stretch the
// outage tests' timings (breaker open window, retry backoff) past what they assert, so collections run one by one.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
