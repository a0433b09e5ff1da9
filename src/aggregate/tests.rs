//! Unit tests of `aggregate`.

use super::*;

/// Feeds `count` goroutines blocked in a select in `get`, called from `creator`.
fn select_in(snapshot: &mut Snapshot, creator: &'static str, count: u64) {
    let frames = [
        Frame {
            function: "runtime.selectgo",
            file: "/go/src/runtime/select.go",
            line: 351,
        },
        Frame {
            function: "t.(*controlBuffer).get",
            file: "/t/controlbuf.go",
            line: 20,
        },
        Frame {
            function: creator,
            file: "/t/http2.go",
            line: 40,
        },
    ];
    snapshot.sample(&Sample {
        count,
        wait_reason: None,
        wait_minutes: None,
        leaked: false,
        hidden_runtime_frames: None,
        frames: profile::Frames::List(&frames),
        labels: Vec::new(),
    });
}

/// One place, goroutines with different callers: each stack is kept with its count (for
/// rules with `stack`), within a snapshot and across snapshots; one stack keeps nothing.
#[test]
fn stacks_told_apart_at_one_place() {
    // (goroutines, stacks told apart by their outermost frame, untold)
    type Told = (u64, Vec<(String, u64)>, u64);
    let stacks = |merged: Merged| -> Vec<Told> {
        merged
            .into_sites()
            .into_iter()
            .map(|(_, tally)| {
                let told = tally
                    .stacks
                    .iter()
                    .map(|(stack, n)| (stack.lines().last().unwrap_or("").to_string(), *n))
                    .collect();
                (tally.goroutines, told, tally.stacks_untold)
            })
            .collect()
    };
    let caller = |name: &str| format!("{name} /t/http2.go:40");

    let mut one = Snapshot::default();
    select_in(&mut one, "t.server", 3);
    select_in(&mut one, "t.server", 4);
    let mut merged = Merged::default();
    merged.add(one);
    assert_eq!(stacks(merged), [(7, vec![], 0)]);

    let mut first = Snapshot::default();
    select_in(&mut first, "t.server", 150);
    select_in(&mut first, "t.client", 5);
    select_in(&mut first, "t.client", 1);
    let mut second = Snapshot::default();
    select_in(&mut second, "t.client", 110);
    let mut merged = Merged::default();
    merged.add(first);
    merged.add(second);
    assert_eq!(
        stacks(merged),
        [(
            156,
            vec![(caller("t.server"), 150), (caller("t.client"), 110)],
            0
        )]
    );

    // A place first seen with one stack, then with two: both kept, each at its worst.
    let mut first = Snapshot::default();
    select_in(&mut first, "t.server", 150);
    let mut second = Snapshot::default();
    select_in(&mut second, "t.server", 5);
    select_in(&mut second, "t.client", 3);
    let mut merged = Merged::default();
    merged.add(first);
    merged.add(second);
    assert_eq!(
        stacks(merged),
        [(
            150,
            vec![(caller("t.server"), 150), (caller("t.client"), 3)],
            0
        )]
    );
    // One stack in one snapshot, another in the next: two stacks.
    let mut first = Snapshot::default();
    select_in(&mut first, "t.server", 7);
    let mut second = Snapshot::default();
    select_in(&mut second, "t.client", 9);
    let mut merged = Merged::default();
    merged.add(first);
    merged.add(second);
    assert_eq!(
        stacks(merged),
        [(9, vec![(caller("t.server"), 7), (caller("t.client"), 9)], 0)]
    );

    // Each stack kept is counted against the reader's memory bound.
    let mut kept = Snapshot::default();
    select_in(&mut kept, "t.server", 1);
    let before = kept.kept_bytes();
    select_in(&mut kept, "t.server", 1);
    assert_eq!(
        kept.kept_bytes(),
        before,
        "the same stack again keeps nothing"
    );
    select_in(&mut kept, "t.client", 1);
    let stack = &kept.sites[0].1.stack;
    assert!(
        kept.kept_bytes() >= before + 2 * stack.len() as u64,
        "{} bytes kept, from {before}",
        kept.kept_bytes()
    );

    // Past the cap, further stacks are counted as untold.
    let mut many = Snapshot::default();
    let names = [
        "t.a", "t.b", "t.c", "t.d", "t.e", "t.f", "t.g", "t.h", "t.i", "t.j",
    ];
    for name in names {
        select_in(&mut many, name, 2);
    }
    let mut merged = Merged::default();
    merged.add(many);
    let [(goroutines, told, untold)] = stacks(merged).try_into().unwrap();
    assert_eq!(
        (goroutines, told.len(), untold),
        (20, MAX_STACK_VARIANTS, 4)
    );
}

/// The `created by` frame of a dump names the function that started the goroutine and,
/// on the line below, the file and line of its `go` statement: both reach the place.
#[test]
fn creators_carry_their_go_statement() {
    let dump = "goroutine 7 [chan send]:\n\
                    main.leak.func1()\n\
                    \t/src/app/leaks.go:18 +0x2c\n\
                    created by main.leak in goroutine 1\n\
                    \t/src/app/leaks.go:16 +0x45\n\
                    \n\
                    goroutine 8 [chan send]:\n\
                    main.orphan()\n\
                    \t/src/app/leaks.go:30 +0x2c\n";
    let mut snapshot = Snapshot::default();
    crate::profile::read(
        dump.as_bytes(),
        &crate::profile::ReadOptions::default(),
        &mut snapshot,
    )
    .expect("the dump reads");
    let mut merged = Merged::default();
    merged.add(snapshot);
    let creators: Vec<String> = merged
        .into_sites()
        .into_iter()
        .map(|(site, tally)| {
            format!(
                "{} {:?} {:?}",
                site.function, tally.created_by, tally.created_at
            )
        })
        .collect();
    assert_eq!(
        creators,
        [
            r#"main.leak.func1 Some("main.leak") Some(("/src/app/leaks.go", 16))"#,
            "main.orphan None None",
        ]
    );
}

#[test]
fn auto_thresholds() {
    for (counts, expected) in [
        // A small service: one place stands out among ones and twos.
        (&[1, 1, 2, 1, 3, 1, 2, 12][..], 10),
        (&[1, 1, 2, 1, 3, 1, 2, 40][..], 10),
        // A large one: a pool of 400 and a leak of 3000 both stand out from small waits;
        // with a draining group of 275 the typical place is larger, and only the leak does.
        (&[1, 2, 2, 3, 5, 400, 3000][..], 10),
        (&[1, 2, 275, 400, 4050][..], 1155),
        // Three leaks holding most of a small service's goroutines are judged against the
        // rest, not against themselves (the median of all places would be 600).
        (&[1, 1, 2, 3, 600, 800, 1000][..], 10),
        // An even number of places: the few largest (5000) are judged against the rest,
        // whose median is the mean of the middle two (120) and so is the median
        // deviation (10).
        (&[100, 110, 120, 130, 5000, 140][..], 195),
        // Everything equal: nothing stands out.
        (&[50, 50, 50, 50][..], 51),
        // Too few places for a distribution: the minimum.
        (&[][..], 10),
        (&[3000][..], 10),
        (&[50, 60, 70][..], 10),
    ] {
        assert_eq!(auto_threshold(counts), expected, "{counts:?}");
    }
}

#[test]
fn trends() {
    let hours = |points: &[(f64, f64)]| {
        trend(points).map(|(trend, slope)| (trend, (slope * 10.0).round() / 10.0))
    };
    assert_eq!(
        hours(&[(0.0, 10.0), (1.0, 20.0), (2.0, 30.0)]),
        Some((Trend::Growing, 10.0))
    );
    assert_eq!(
        hours(&[(0.0, 40.0), (1.0, 40.0), (2.0, 40.0)]),
        Some((Trend::Steady, 0.0))
    );
    assert_eq!(
        hours(&[(0.0, 40.0), (1.0, 41.0), (2.0, 40.0)]),
        Some((Trend::Steady, 0.0))
    );
    assert_eq!(
        hours(&[(0.0, 60.0), (1.0, 30.0), (2.0, 0.0)]),
        Some((Trend::Shrinking, -30.0))
    );
    // Two instances at each of three moments.
    assert_eq!(
        hours(&[
            (0.0, 5.0),
            (0.0, 7.0),
            (1.0, 9.0),
            (1.0, 11.0),
            (2.0, 13.0),
            (2.0, 15.0)
        ]),
        Some((Trend::Growing, 4.0))
    );
    assert_eq!(
        hours(&[(0.0, 1.0), (1.0, 2.0)]),
        None,
        "two moments are not a trend"
    );
    assert_eq!(hours(&[(1.0, 1.0), (1.0, 2.0), (1.0, 3.0)]), None);
}

/// Series at the edge of the rule: over the span the count must change by 10% of its
/// mean and by 2 goroutines. Times need not start at 0.
#[test]
fn trend_thresholds() {
    use Trend::*;
    for (points, expected) in [
        // Exactly 2 over the span (10% of the mean is 1.1).
        (
            &[(0.0, 10.0), (1.0, 11.0), (2.0, 12.0)][..],
            Some((Growing, 1.0)),
        ),
        (
            &[(0.0, 12.0), (1.0, 11.0), (2.0, 10.0)][..],
            Some((Shrinking, -1.0)),
        ),
        // 1.5 over the span is more than 10% of the mean but less than 2.
        (
            &[(0.0, 5.0), (1.0, 5.75), (2.0, 6.5)][..],
            Some((Steady, 0.75)),
        ),
        // 12 over the span, 10% of the mean is 10.6.
        (
            &[(0.0, 100.0), (1.0, 106.0), (2.0, 112.0)][..],
            Some((Growing, 6.0)),
        ),
        // 8 over the span, 10% of the mean is 10.4.
        (
            &[(0.0, 100.0), (1.0, 104.0), (2.0, 108.0)][..],
            Some((Steady, 4.0)),
        ),
        (
            &[(0.0, 108.0), (1.0, 104.0), (2.0, 100.0)][..],
            Some((Steady, -4.0)),
        ),
        // The same series, later: only differences of time count.
        (
            &[(10.0, 100.0), (11.0, 106.0), (12.0, 112.0)][..],
            Some((Growing, 6.0)),
        ),
        (
            &[(10.0, 100.0), (11.0, 104.0), (12.0, 108.0)][..],
            Some((Steady, 4.0)),
        ),
        // Uneven times: least squares, not first to last.
        (
            &[(0.0, 10.0), (1.0, 10.0), (3.0, 30.0)][..],
            Some((Growing, 7.14)),
        ),
    ] {
        let got = trend(points).map(|(trend, slope)| (trend, (slope * 100.0).round() / 100.0));
        assert_eq!(got, expected, "{points:?}");
    }
}
