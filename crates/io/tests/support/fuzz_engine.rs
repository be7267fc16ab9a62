//! The mutation engine of the file-reader fuzzers (docs/fuzzing.md), shared
//! by `crates/io/tests/fuzz.rs` (CSV, xlsx, SIE 4, model files and the
//! readers in `resurs-core`) and `crates/app/tests/fuzz_nya.rs` (the readers
//! in `resurs-app`): a seeded generator (splitmix64) mutates seeds (bit
//! flips, interesting bytes, insertions, deletions, repeated chunks,
//! splices, truncations, swapped lines), and every input is checked for no
//! panic, no hang ([`TIME_BOUND`]) and a bounded output (inputs at most
//! [`MAX_INPUT`] bytes; the output at most a fixed multiple of the input).
#![allow(dead_code)] // each test crate uses a part

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Largest input tried.
const MAX_INPUT: usize = 64 * 1024;
/// Longest any one parse may take (debug build, shared machine).
const TIME_BOUND: Duration = Duration::from_secs(2);

/// splitmix64: small, fast and reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Bytes that matter to the readers.
const INTERESTING: &[&[u8]] = &[
    b"\0",
    b"\xff",
    b"\"",
    b"\"\"",
    b";",
    b",",
    b"\t",
    b"\n",
    b"\r\n",
    b"\r",
    b"#",
    b"{",
    b"}",
    b"[",
    b"]",
    b"=",
    b"-",
    b"+",
    b"0",
    b"9",
    b"99999999999999999999",
    b"-1",
    b"\xc3\xa5",
    b"\xc3",
    b"\xe5",
    b"\xef\xbb\xbf",
    b"#VER",
    b"#TRANS",
    b"#KONTO",
    b"#DIM",
    b"#OBJEKT",
    b"#RAR",
    b"[[modell]]",
    b"giltig_fran",
    b"1e309",
    b"2026-02-30",
    b"19121212-1212",
    b"<",
    b">",
    b"&amp;",
    b"<c r=\"XFD1048576\">",
    b"<v>",
    b"t=\"s\"",
];

/// One mutation of `input`, in place, keeping it at most [`MAX_INPUT`] bytes.
fn mutate(rng: &mut Rng, input: &mut Vec<u8>, seeds: &[Vec<u8>], extra: &[&[u8]]) {
    let len = input.len();
    match rng.below(9) {
        0 if len > 0 => {
            let i = rng.below(len);
            input[i] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let i = rng.below(len);
            input[i] = rng.next() as u8;
        }
        2 => {
            let i = rng.below(len + 1);
            // A reader's own tokens come after the shared ones, so a
            // reader without any draws exactly as before.
            let k = rng.below(INTERESTING.len() + extra.len());
            let what = if k < INTERESTING.len() {
                INTERESTING[k]
            } else {
                extra[k - INTERESTING.len()]
            };
            input.splice(i..i, what.iter().copied());
        }
        3 if len > 0 => {
            let i = rng.below(len);
            let n = 1 + rng.below((len - i).min(64));
            input.drain(i..i + n);
        }
        4 if len > 0 => {
            // A chunk repeated: long lines, many rows, deep nesting.
            let i = rng.below(len);
            let n = 1 + rng.below((len - i).min(256));
            let chunk = input[i..i + n].to_vec();
            let times = 1 + rng.below(64);
            for _ in 0..times {
                input.splice(i..i, chunk.iter().copied());
            }
        }
        5 => {
            // Splice in part of another seed.
            let other = &seeds[rng.below(seeds.len())];
            if !other.is_empty() {
                let a = rng.below(other.len());
                let b = a + rng.below(other.len() - a + 1);
                let i = rng.below(len + 1);
                input.splice(i..i, other[a..b].iter().copied());
            }
        }
        6 if len > 0 => input.truncate(rng.below(len)),
        7 if len > 1 => {
            // Swap two lines.
            let lines: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
            if lines.len() > 2 {
                let (a, b) = (rng.below(lines.len()), rng.below(lines.len()));
                let mut v: Vec<Vec<u8>> = lines.iter().map(|l| l.to_vec()).collect();
                v.swap(a, b);
                *input = v.join(&b'\n');
            }
        }
        _ => {
            let i = rng.below(len + 1);
            let n = 1 + rng.below(8);
            for _ in 0..n {
                input.insert(i, rng.next() as u8);
            }
        }
    }
    input.truncate(MAX_INPUT);
}

/// A case's input: a seed with 1–8 mutations.
fn case_input(rng: &mut Rng, seeds: &[Vec<u8>], extra: &[&[u8]]) -> Vec<u8> {
    let mut input = seeds[rng.below(seeds.len())].clone();
    for _ in 0..1 + rng.below(8) {
        mutate(rng, &mut input, seeds, extra);
    }
    input
}

/// How many cases per reader (`FUZZ_CASES`, or `default`).
pub fn cases(default: u64) -> u64 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn base_seed() -> u64 {
    std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
}

fn out_dir() -> PathBuf {
    std::env::var_os("FUZZ_OUT").map_or_else(std::env::temp_dir, PathBuf::from)
}

/// Runs `parse` on `n` inputs; `parse` returns the size of what it built
/// (cells, lines, versions), which must stay within `factor` × input + 1000.
/// Panics, slow parses and oversized outputs are saved and fail the test.
pub fn fuzz(name: &str, seeds: &[Vec<u8>], n: u64, factor: usize, parse: impl Fn(&[u8]) -> usize) {
    fuzz_with(name, seeds, &[], n, factor, parse)
}

/// As [`fuzz`], with `extra` tokens of the reader's own format (JSON
/// punctuation, keywords) inserted besides the shared interesting bytes.
pub fn fuzz_with(
    name: &str,
    seeds: &[Vec<u8>],
    extra: &[&[u8]],
    n: u64,
    factor: usize,
    parse: impl Fn(&[u8]) -> usize,
) {
    // FUZZ_REPLAY=FILE runs one saved input, uncaught, to see its panic.
    if let Some(file) = std::env::var_os("FUZZ_REPLAY") {
        let input = std::fs::read(&file).unwrap();
        let t = Instant::now();
        let size = parse(&input);
        eprintln!("{name}: {size} ut, {:?}", t.elapsed());
        return;
    }
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(base_seed()
        ^ name
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))));
    let mut failures = Vec::new();
    let started = Instant::now();
    let mut slowest = Duration::ZERO;
    for i in 0..n {
        let input = if (i as usize) < seeds.len() {
            seeds[i as usize].clone()
        } else {
            case_input(&mut rng, seeds, extra)
        };
        let t = Instant::now();
        let r = catch_unwind(AssertUnwindSafe(|| parse(&input)));
        let took = t.elapsed();
        slowest = slowest.max(took);
        let fault = match r {
            Err(_) => Some("panic"),
            Ok(_) if took > TIME_BOUND => Some("slow"),
            Ok(size) if size > factor * input.len() + 1000 => Some("output"),
            Ok(_) => None,
        };
        if let Some(fault) = fault {
            let path = out_dir().join(format!("fuzz-{name}-{fault}-{i}.bin"));
            let _ = std::fs::write(&path, &input);
            failures.push(format!("{fault} ({took:?}): {}", path.display()));
            if failures.len() >= 10 {
                break;
            }
        }
    }
    let _ = std::panic::take_hook();
    eprintln!(
        "fuzz {name}: {n} fall på {:.1} s, långsammaste {:?}, {} fel",
        started.elapsed().as_secs_f64(),
        slowest,
        failures.len()
    );
    assert!(failures.is_empty(), "{name}: {failures:#?}");
}
