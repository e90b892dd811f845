//! The real OS keychain: Secret Service on Linux. `scripts/test` runs the suite inside a
//! private session bus with its own unlocked GNOME Keyring (scripts/with-keyring), so the
//! user's keyring is never touched.

use slipway_api::keychain;
use slipway_api::llm::Secret;

#[test]
fn keys_round_trip_through_the_real_keychain() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "no session bus: run the tests through scripts/test or scripts/with-keyring, which start a private Secret Service"
    );
    let account = format!("test:{}", std::process::id());
    assert_eq!(keychain::load(&account).unwrap(), None, "a new account holds nothing");
    keychain::store(&account, &Secret::new("sk-keychain-test-0123456789")).unwrap();
    assert_eq!(
        keychain::load(&account)
            .unwrap()
            .map(|s| s.expose().to_string())
            .as_deref(),
        Some("sk-keychain-test-0123456789")
    );
    keychain::store(&account, &Secret::new("sk-keychain-test-replaced-000")).unwrap();
    assert_eq!(
        keychain::load(&account)
            .unwrap()
            .map(|s| s.expose().to_string())
            .as_deref(),
        Some("sk-keychain-test-replaced-000"),
        "storing again replaces"
    );
    assert!(keychain::delete(&account).unwrap());
    assert_eq!(keychain::load(&account).unwrap(), None);
    assert!(!keychain::delete(&account).unwrap(), "deleting twice is not an error");
    assert!(
        keychain::store(&account, &Secret::new("  ")).is_err(),
        "an empty key is refused"
    );
}

#[test]
fn without_a_keychain_the_error_says_what_is_missing() {
    // Point the Secret Service client at a bus that does not exist, in a child process so the
    // rest of the suite keeps its bus.
    if std::env::var_os("SLIPWAY_KEYCHAIN_CHILD").is_some() {
        let err = keychain::load("test:none").unwrap_err().to_string();
        println!("ERR:{err}");
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "without_a_keychain_the_error_says_what_is_missing",
            "--nocapture",
        ])
        .env("SLIPWAY_KEYCHAIN_CHILD", "1")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/slipway-test-bus")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("ERR:the OS keychain is not available") && text.contains("Secret Service"),
        "{text}"
    );
}
