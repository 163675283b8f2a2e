//! The git side against real repositories: over a file path and over smart HTTP with Basic
//! authentication (`git http-backend` on 127.0.0.1).

use portico_gitsync::git::{GitLimits, GitRemote, Target, fetch_tree, list_references};
use portico_gitsync::model::{BasicCredentials, ReferenceType};
use portico_gitsync::testing::{GitServer, ServerOptions, TestRepo};
use std::time::Duration;

fn anonymous(url: String) -> GitRemote {
    GitRemote { url, ..Default::default() }
}

fn with_password(url: String, password: &str) -> GitRemote {
    let credentials = Some(BasicCredentials { username: "alice".into(), password: password.into() });
    GitRemote { url, credentials, ..Default::default() }
}

fn limits() -> GitLimits {
    GitLimits { timeout: Duration::from_secs(60), ..GitLimits::default() }
}

fn paths(files: &[(String, Vec<u8>)]) -> Vec<&str> {
    files.iter().map(|(path, _)| path.as_str()).collect()
}

#[test]
fn branches_tags_and_commits_are_listed_and_fetched_over_a_file_path() {
    let repo = TestRepo::new();
    let first = repo.commit("master", &[("app.json", "{\"v\": 1}")], false);
    repo.tag("master", "v1.0.0", true);
    repo.commit("master", &[("app.json", "{\"v\": 2}"), ("theme/colors.css", "body{}")], false);
    repo.commit("develop", &[("dev.txt", "wip")], false);
    repo.tag("develop", "nightly", false);
    let remote = anonymous(repo.file_url());

    assert_eq!(list_references(&remote, ReferenceType::Branch, &limits()).unwrap(), ["develop", "master"]);
    assert_eq!(list_references(&remote, ReferenceType::Tag, &limits()).unwrap(), ["nightly", "v1.0.0"]);

    let tip = fetch_tree(&remote, &Target::Reference(ReferenceType::Branch, "master".into()), &limits(), None).unwrap();
    assert_eq!(paths(&tip.files), ["README.md", "app.json", "theme/colors.css"]);
    assert_eq!(tip.files[1].1, b"{\"v\": 2}");

    // An annotated tag is peeled to its commit.
    let tagged = fetch_tree(&remote, &Target::Reference(ReferenceType::Tag, "v1.0.0".into()), &limits(), None).unwrap();
    assert_eq!(tagged.commit, first);
    assert_eq!(paths(&tagged.files), ["README.md", "app.json"]);
    assert_eq!(tagged.files[1].1, b"{\"v\": 1}");

    let by_commit = fetch_tree(&remote, &Target::Commit(first.clone()), &limits(), None).unwrap();
    assert_eq!(by_commit, tagged);
}

#[test]
fn smart_http_with_basic_authentication() {
    let repo = TestRepo::new();
    let commit = repo.commit("release", &[("config/a.yml", "a: 1")], false);
    repo.tag("release", "r1", false);
    let server = GitServer::start(
        repo.root(),
        ServerOptions { credentials: Some(("alice".into(), "s3cret".into())), ..Default::default() },
    );

    let good = with_password(server.url(), "s3cret");
    assert_eq!(list_references(&good, ReferenceType::Branch, &limits()).unwrap(), ["master", "release"]);
    let fetched = fetch_tree(&good, &Target::Reference(ReferenceType::Tag, "r1".into()), &limits(), None).unwrap();
    assert_eq!(fetched.commit, commit);
    assert_eq!(paths(&fetched.files), ["README.md", "config/a.yml"]);
    let by_commit = fetch_tree(&good, &Target::Commit(commit.clone()), &limits(), None).unwrap();
    assert_eq!(by_commit.commit, commit);

    let wrong = list_references(&with_password(server.url(), "nope"), ReferenceType::Branch, &limits()).unwrap_err();
    assert!(!wrong.0.contains("nope"), "the password must not be shown: {wrong}");
    let none = list_references(&anonymous(server.url()), ReferenceType::Branch, &limits()).unwrap_err();
    assert!(!none.0.is_empty());
}

#[test]
fn missing_references_and_commits_and_unreachable_remotes_fail_with_a_reason() {
    let repo = TestRepo::new();
    let remote = anonymous(repo.file_url());
    let missing =
        fetch_tree(&remote, &Target::Reference(ReferenceType::Branch, "nope".into()), &limits(), None).unwrap_err();
    assert!(missing.0.contains("nope"), "{missing}");
    let unknown = fetch_tree(&remote, &Target::Commit("0".repeat(40)), &limits(), None).unwrap_err();
    assert!(!unknown.0.is_empty());

    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let unreachable = anonymous(format!("http://{closed}/repo.git"));
    let refused = list_references(&unreachable, ReferenceType::Tag, &limits()).unwrap_err();
    assert!(refused.0.ends_with(portico_gitsync::git::UNREADABLE), "no transport detail: {refused}");
    assert!(!refused.0.contains(&closed.port().to_string()) && !refused.0.to_lowercase().contains("refused"));
}

#[test]
fn limits_bound_what_a_fetch_stores() {
    let repo = TestRepo::new();
    repo.commit_many("master", 300);
    let remote = anonymous(repo.file_url());
    let target = Target::Reference(ReferenceType::Branch, "master".into());
    let few = GitLimits { max_files: 100, ..limits() };
    let error = fetch_tree(&remote, &target, &few, None).unwrap_err();
    assert!(error.0.contains("more than 100 files"), "{error}");
    let small = GitLimits { max_bytes: 1000, ..limits() };
    let error = fetch_tree(&remote, &target, &small, None).unwrap_err();
    assert!(error.0.contains("larger than 1000 bytes"), "{error}");
    let all = fetch_tree(&remote, &target, &limits(), None).unwrap();
    assert_eq!(all.files.len(), 301);
}

#[test]
fn http_connections_go_to_the_addresses_the_check_resolved() {
    let repo = TestRepo::new();
    let server = GitServer::start(repo.root(), ServerOptions::default());
    let address: std::net::SocketAddr = server.url()["http://".len()..].split('/').next().unwrap().parse().unwrap();
    // A name that resolves nowhere: only the pinned address can make this work.
    let url = format!("http://git.pinned.invalid:{}/repo.git", address.port());
    let unpinned = list_references(&anonymous(url.clone()), ReferenceType::Branch, &limits()).unwrap_err();
    assert!(!unpinned.0.is_empty());
    let pinned = GitRemote { url, pinned: vec![address], ..Default::default() };
    assert_eq!(list_references(&pinned, ReferenceType::Branch, &limits()).unwrap(), ["master"]);
    let fetched =
        fetch_tree(&pinned, &Target::Reference(ReferenceType::Branch, "master".into()), &limits(), None).unwrap();
    assert_eq!(paths(&fetched.files), ["README.md"]);
}
