//! A crop: a job cut into batches on disk, grown a few at a time (here, or as the array tasks
//! of a batch system), reaped when all are there.
//!
//! The job counts the coprime pairs `(a, b)` with `1 <= a, b <= n`. The example sows it into 8
//! batches under `DIR/coprime`, grows batches 1 and 2, shows the status, grows the rest with
//! `grow_missing` (in parallel on the session's context), reaps the count, checks it against
//! `run(false)` and removes the crop.
//!
//! `cargo run --example crop -- DIR [n]` (default n = 300). Started as an array task (with
//! `SLURM_ARRAY_TASK_ID`, `SGE_TASK_ID`, ... or `HAYDI_CROP_BATCH` set), it grows that batch
//! only; `cargo run --example crop -- DIR n script` prints a Slurm script for this crop.

use haydi::Crop;
use haydi::crop::{Batches, Scheduler, ScriptOptions};
use haydi::prelude::*;

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args.first().ok_or("usage: crop DIR [n] [script]")?;
    let n: i64 = match args.get(1) {
        Some(s) => s
            .parse()
            .map_err(|_| format!("n must be a number, not {s:?}"))?,
        None => 300,
    };
    let job = Product::new((Range::span(1, n + 1, 1)?, Range::span(1, n + 1, 1)?))
        .filter(|(a, b)| gcd(*a, *b) == 1)
        .count();
    // One program sows (`crop DIR n`), prints the script (`crop DIR n script`) and grows
    // (array tasks, `crop DIR n`): its arguments differ between these uses, so the crop is
    // identified by an identity instead of the arguments and executable (n is in the
    // domain's fingerprint, which is still compared: a crop of another n is refused).
    let crop = Crop::new("coprime", dir, job)?.identity("coprime pairs");

    // An array task grows its batch and stops.
    if let Some((id, grown)) = crop.grow_from_env()? {
        println!("batch {id}: {grown}");
        return Ok(());
    }

    println!("sown {} batches", crop.sow(Batches::Count(8))?);
    if args.get(2).map(String::as_str) == Some("script") {
        let opts = ScriptOptions {
            cpus_per_task: Some(4),
            time: Some(std::time::Duration::from_secs(600)),
            args: Some(vec![dir.clone(), n.to_string()]),
            ..Default::default()
        };
        print!("{}", crop.script(Scheduler::Slurm, &opts)?);
        return Ok(());
    }
    for (id, grown) in crop.grow_many(&[1, 2])? {
        println!("batch {id}: {grown}");
    }
    println!("status: {}", crop.status()?);
    println!("missing: {:?}", crop.missing()?);
    let rest = crop.grow_missing()?;
    println!("grow_missing grew {} batches", rest.len());
    println!("status: {}", crop.status()?);
    let found = crop.check()?;
    println!("check: {found}");
    let count = crop.reap()?;
    assert_eq!(count, crop.job().run(false)?);
    println!("coprime pairs up to {n}: {count}");
    crop.clean()?;
    Ok(())
}
