//! The threads a baton links to: where its discussion and decisions live.
//!
//! Owns: how many threads one baton may link ([`MAX_LINKED_THREADS`]), the check of a list of
//! them ([`validate_thread_links`]) and reading a pasted thread link ([`thread_ref`]).
//! Does not own: who may see a thread (`visibility`), or storing the links.

use std::collections::HashSet;

use crate::{CoreError, CoreResult, Id};

/// Most threads one baton links to: the few places its work is discussed, short enough to
/// read at a glance on the baton page.
pub const MAX_LINKED_THREADS: usize = 20;

/// Checks the threads a new baton links to: at most [`MAX_LINKED_THREADS`], each once.
///
/// # Errors
///
/// `thread_ids` when the list is too long or names a thread twice.
pub fn validate_thread_links(threads: &[Id]) -> CoreResult<()> {
    if threads.len() > MAX_LINKED_THREADS {
        return Err(CoreError::invalid(
            "thread_ids",
            format!(
                "a baton can link at most {MAX_LINKED_THREADS} threads; this list has {}",
                threads.len()
            ),
        ));
    }
    let mut seen = HashSet::with_capacity(threads.len());
    if let Some(twice) = threads.iter().find(|t| !seen.insert(**t)) {
        return Err(CoreError::invalid(
            "thread_ids",
            format!("thread {twice} is listed twice; list each thread once"),
        ));
    }
    Ok(())
}

/// The thread id in what someone pasted: a bare id, a path such as `/threads/{id}`, or a full
/// link to a thread page (a query or `#fragment` after it is ignored). `None` when it names no
/// thread this way.
pub fn thread_ref(pasted: &str) -> Option<Id> {
    let text = pasted.trim();
    let text = text.split(['?', '#']).next().unwrap_or_default();
    let text = text.trim_end_matches('/');
    let id = match text.rfind("/threads/") {
        Some(at) => &text[at + "/threads/".len()..],
        None => text,
    };
    id.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_is_linked_once_and_up_to_twenty() {
        let ids: Vec<Id> = (0..MAX_LINKED_THREADS).map(|_| Id::random()).collect();
        assert!(validate_thread_links(&ids).is_ok());
        assert!(validate_thread_links(&[]).is_ok());
        let mut over = ids.clone();
        over.push(Id::random());
        let error = validate_thread_links(&over).unwrap_err();
        assert_eq!(error.field, "thread_ids");
        assert!(error.message.contains("at most 20"), "{}", error.message);
        let twice = [ids[0], ids[1], ids[0]];
        let error = validate_thread_links(&twice).unwrap_err();
        assert!(error.message.contains("listed twice"), "{}", error.message);
    }

    #[test]
    fn a_pasted_link_path_or_id_names_its_thread() {
        let id = Id::random();
        for pasted in [
            id.to_string(),
            format!("  {id}\n"),
            format!("/threads/{id}"),
            format!("https://baton.example/threads/{id}/"),
            format!("http://127.0.0.1:8080/threads/{id}?page=2#post-7"),
        ] {
            assert_eq!(thread_ref(&pasted), Some(id), "{pasted}");
        }
        for pasted in ["", "hello", "https://baton.example/threads/", "/spaces/x"] {
            assert_eq!(thread_ref(pasted), None, "{pasted}");
        }
        assert_eq!(
            thread_ref(&format!("/batons/{id}")),
            None,
            "not a thread link"
        );
    }
}
