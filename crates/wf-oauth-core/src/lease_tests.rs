use super::*;
use crate::{AccessToken, Instance, TokenSet, UnixTime};

fn stored(access: &str, generation: u64) -> StoredCredential {
    let tokens = TokenSet::new(
        AccessToken::new(access),
        Instance::parse("acme.my.workfront.com").unwrap(),
        UnixTime::from_secs(1),
    );
    let mut s = StoredCredential::new(tokens, 1);
    s.generation = generation;
    s
}

fn plan(client_credentials: bool) -> RenewalPlan {
    RenewalPlan::new(
        7,
        AccessToken::new("a7"),
        client_credentials,
        LeasePolicy::for_request_timeout(Duration::from_secs(2)),
    )
}

const HELD: LeaseGrant = LeaseGrant::HeldByOther { remaining: None };

#[test]
fn the_holder_of_the_lease_renews_what_it_saw() {
    let p = plan(false);
    assert_eq!(
        p.next(Some(&stored("a7", 7)), LeaseGrant::Acquired, Duration::ZERO),
        RenewalStep::Renew
    );
    // A store without leases: the in-process lock stands in for it.
    assert_eq!(
        p.next(
            Some(&stored("a7", 7)),
            LeaseGrant::Unsupported,
            Duration::ZERO
        ),
        RenewalStep::Renew
    );
    assert_eq!(p.seen_generation(), 7);
}

#[test]
fn newer_stored_tokens_are_adopted_whoever_holds_the_lease() {
    let p = plan(false);
    for lease in [LeaseGrant::Acquired, HELD, LeaseGrant::Unsupported] {
        assert_eq!(
            p.next(Some(&stored("a8", 8)), lease, Duration::ZERO),
            RenewalStep::Adopt
        );
        // Same generation number but other tokens (a store recreated after a delete).
        assert_eq!(
            p.next(Some(&stored("other", 7)), lease, Duration::ZERO),
            RenewalStep::Adopt
        );
        // Newer tokens marked for sign-in.
        let marked = stored("a8", 8).needing_sign_in();
        assert_eq!(
            p.next(Some(&marked), lease, Duration::ZERO),
            RenewalStep::ReauthRequired
        );
    }
}

#[test]
fn a_marked_or_removed_credential_needs_a_sign_in() {
    let p = plan(false);
    let marked = stored("a7", 7).needing_sign_in();
    assert_eq!(
        p.next(Some(&marked), LeaseGrant::Acquired, Duration::ZERO),
        RenewalStep::ReauthRequired
    );
    assert_eq!(
        p.next(None, LeaseGrant::Acquired, Duration::ZERO),
        RenewalStep::ReauthRequired
    );
    // A Server-to-Server credential is simply requested again.
    let s2s = plan(true);
    assert_eq!(
        s2s.next(None, LeaseGrant::Acquired, Duration::ZERO),
        RenewalStep::Renew
    );
    assert!(matches!(
        s2s.next(None, HELD, Duration::ZERO),
        RenewalStep::Wait(_)
    ));
}

#[test]
fn waiting_is_bounded_past_the_lease_lifetime() {
    let p = plan(false);
    let current = stored("a7", 7);
    let mut waited = Duration::ZERO;
    let mut pauses = 0;
    loop {
        match p.next(Some(&current), HELD, waited) {
            RenewalStep::Wait(pause) => {
                assert!(pause > Duration::ZERO && pause <= Duration::from_millis(250));
                waited += pause;
                pauses += 1;
            }
            RenewalStep::GiveUp => break,
            other => panic!("{other:?}"),
        }
    }
    assert!(
        waited >= p.policy().ttl(),
        "a crashed holder's lease expires before anyone gives up"
    );
    assert!(waited <= p.policy().max_wait() + Duration::from_millis(250));
    assert!(pauses > 5);
    // A lease about to expire is looked at again when it does.
    let soon = LeaseGrant::HeldByOther {
        remaining: Some(Duration::from_millis(3)),
    };
    assert_eq!(
        p.next(Some(&current), soon, Duration::from_secs(1)),
        RenewalStep::Wait(Duration::from_millis(3))
    );
}

#[test]
fn policies_never_overflow() {
    let p = LeasePolicy::for_request_timeout(Duration::MAX).with_ttl(Duration::MAX);
    assert_eq!(p.ttl(), Duration::MAX);
    assert!(p.max_wait() >= p.ttl());
    assert!(p.poll_after(Duration::MAX) <= Duration::from_millis(250));
}
