use super::*;

fn transient(rate_limited: bool, after: Option<u64>) -> Failure {
    Failure::Transient {
        rate_limited,
        retry_after: after.map(Duration::from_secs),
    }
}

fn next(s: &mut RetryState, failure: Failure) -> Option<Duration> {
    s.next_delay(failure, Duration::ZERO, 0x5eed)
}

#[test]
fn code_exchange_only_retries_unsent() {
    let mut s = RetryState::new(RetryPolicy::default(), Replay::IfNotSent);
    assert_eq!(next(&mut s, Failure::MaybeSent), None);
    assert_eq!(next(&mut s, transient(true, Some(0))), None);
    assert_eq!(next(&mut s, transient(false, None)), None);
    assert!(next(&mut s, Failure::NotSent).is_some());
    assert_eq!(s.attempt(), 2);
}

#[test]
fn refresh_retries_refusals_but_not_ambiguous_failures() {
    let mut s = RetryState::new(RetryPolicy::default(), Replay::IfRefused);
    assert_eq!(next(&mut s, Failure::MaybeSent), None);
    assert_eq!(next(&mut s, transient(false, None)), None);
    assert!(next(&mut s, transient(true, Some(0))).is_some());
}

#[test]
fn idempotent_retries_until_attempts_run_out() {
    let mut s = RetryState::new(
        RetryPolicy::default().with_initial_backoff(Duration::from_millis(1)),
        Replay::Idempotent,
    );
    assert!(next(&mut s, Failure::MaybeSent).is_some());
    assert!(next(&mut s, transient(false, None)).is_some());
    assert_eq!(next(&mut s, Failure::NotSent), None, "3 attempts in total");
    assert_eq!(next(&mut s, Failure::Permanent), None);
}

#[test]
fn retry_after_past_the_budget_gives_up() {
    let policy = RetryPolicy::default().with_max_elapsed(Duration::from_secs(2));
    let mut s = RetryState::new(policy, Replay::Idempotent);
    assert_eq!(next(&mut s, transient(true, Some(5))), None);
    let d = next(&mut s, transient(true, Some(1))).expect("within budget");
    assert!(d >= Duration::from_secs(1) && d <= Duration::from_millis(1_101));
    // Time already spent counts against the budget.
    let mut s = RetryState::new(policy, Replay::Idempotent);
    assert_eq!(
        s.next_delay(transient(true, Some(1)), Duration::from_millis(1_500), 0),
        None
    );
}

#[test]
fn absurd_waits_never_overflow() {
    for (after, elapsed, random) in [
        (Some(u64::MAX), Duration::ZERO, u64::MAX),
        (Some(u64::MAX), Duration::MAX, 0),
        (Some(u64::MAX / 10), Duration::MAX, u64::MAX),
        (None, Duration::MAX, u64::MAX),
        (Some(0), Duration::MAX, u64::MAX),
    ] {
        let mut s = RetryState::new(RetryPolicy::default(), Replay::Idempotent);
        assert_eq!(s.next_delay(transient(true, after), elapsed, random), None);
        assert_eq!(s.attempt(), 1);
    }
    let policy = RetryPolicy::default()
        .with_max_attempts(u32::MAX)
        .with_initial_backoff(Duration::MAX)
        .with_max_backoff(Duration::MAX)
        .with_max_elapsed(Duration::MAX);
    let mut s = RetryState::new(policy, Replay::Idempotent);
    for _ in 0..40 {
        let d = s.next_delay(Failure::NotSent, Duration::ZERO, u64::MAX);
        assert!(d.is_some());
    }
    let huge = Failure::Transient {
        rate_limited: true,
        retry_after: Some(Duration::MAX),
    };
    assert_eq!(
        s.next_delay(huge, Duration::ZERO, u64::MAX),
        Some(Duration::MAX)
    );
}

#[test]
fn backoff_grows_and_is_capped() {
    let policy = RetryPolicy::default()
        .with_max_attempts(10)
        .with_initial_backoff(Duration::from_millis(100))
        .with_max_backoff(Duration::from_millis(400))
        .with_max_elapsed(Duration::from_secs(60));
    for random in [0, 1, u64::MAX / 3, u64::MAX] {
        let mut s = RetryState::new(policy, Replay::Idempotent);
        let delays: Vec<_> = (0..5)
            .map(|_| {
                s.next_delay(Failure::NotSent, Duration::ZERO, random)
                    .expect("retry")
            })
            .collect();
        assert!(delays[0] >= Duration::from_millis(50) && delays[0] <= Duration::from_millis(100));
        assert!(delays[2] >= Duration::from_millis(200));
        assert!(delays.iter().all(|d| *d <= Duration::from_millis(400)));
    }
}

#[test]
fn zero_attempts_means_one() {
    let policy = RetryPolicy::default().with_max_attempts(0);
    assert_eq!(policy.max_attempts(), 1);
    let mut s = RetryState::new(policy, Replay::Idempotent);
    assert_eq!(next(&mut s, Failure::NotSent), None);
}

#[test]
fn errors_classify_for_retrying() {
    let throttled = crate::Error::Api {
        status: 429,
        class: None,
        message: None,
        retry_after: Some(u64::MAX),
    };
    assert_eq!(
        Failure::of(&throttled),
        Failure::Transient {
            rate_limited: true,
            retry_after: Some(Duration::from_secs(u64::MAX))
        }
    );
    assert_eq!(
        Failure::of(&crate::Error::StateMismatch),
        Failure::Permanent
    );
}
