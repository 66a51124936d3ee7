//! Benchmark of post rendering (issue #2's post path): the same ~300-byte post as the load
//! tool's, rendered as prose with a link (written directly) and with a small table added
//! (which sends the whole post through the sanitizer). The ratio between the two is what the
//! fast path saves on a typical post.

use std::hint::black_box;

use baton_core::markdown::render;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// The load tool's post body (crates/baton-bench/src/load.rs, `post_body`).
const PROSE: &str = "## Update 7 from client 3\n\n\
    Shipped the **retry logic** for the sync job; see `sync::retry` and the notes below.\n\n\
    - backoff is exponential, capped at *5 minutes*\n\
    - failures are logged with the request id\n\
    - [runbook](https://example.com/runbook) updated\n\n\
    > No action needed before your morning.\n";

fn rendering(c: &mut Criterion) {
    let with_table = format!("{PROSE}\n| before | after |\n|---|---|\n| 9 s | 2 s |\n");
    let mut group = c.benchmark_group("markdown");
    group.throughput(Throughput::Elements(1));
    group.bench_function("prose_with_link", |b| b.iter(|| render(black_box(PROSE))));
    group.bench_function("with_table_sanitized", |b| {
        b.iter(|| render(black_box(&with_table)))
    });
    group.finish();
}

criterion_group!(benches, rendering);
criterion_main!(benches);
