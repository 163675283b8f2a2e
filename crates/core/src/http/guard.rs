//! The edge check every request passes before routing: the path and the query string are
//! UTF-8 once percent-decoded (the router would otherwise put U+FFFD in place of what was
//! sent) and hold no control character, and their lengths are bounded. A request that fails it is
//! a 400 in the format of the API that owns the path, and reaches no handler and no database.

use super::failure::{Failure, failure_response};
use crate::ErrorKind;
use crate::text::is_forbidden_in_line;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use percent_encoding::percent_decode_str;

/// The longest accepted path, in bytes.
pub const MAX_PATH: usize = 2048;
/// The longest accepted query string, in bytes.
pub const MAX_QUERY: usize = 8192;

/// Why a request line is refused, if it is.
pub fn check_request_line(path: &str, query: &str) -> Result<(), Failure> {
    let invalid = |message: String| Failure::new(ErrorKind::Invalid, "invalid_request_line", message);
    if path.len() > MAX_PATH {
        return Err(invalid(format!("The path is longer than {MAX_PATH} bytes")));
    }
    if query.len() > MAX_QUERY {
        return Err(invalid(format!("The query string is longer than {MAX_QUERY} bytes")));
    }
    for (part, text) in [("path", path), ("query string", query)] {
        // `+` is a space in query strings; either way it is not a control character.
        let decoded = percent_decode_str(text)
            .decode_utf8()
            .map_err(|_| invalid(format!("The {part} is not UTF-8 text once percent-decoded")))?;
        if let Some(c) = decoded.chars().find(|c| is_forbidden_in_line(*c)) {
            return Err(invalid(format!("The {part} contains a control character (U+{:04X})", u32::from(c))));
        }
    }
    Ok(())
}

/// The middleware (outermost after request observation).
pub async fn reject_bad_request_lines(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, actix_web::body::BoxBody>>, actix_web::Error> {
    match check_request_line(req.uri().path(), req.query_string()) {
        Ok(()) => Ok(next.call(req).await?.map_into_left_body()),
        Err(failure) => {
            let raw_path = req.uri().path().to_owned();
            let response = failure_response(None, failure, &raw_path);
            Ok(req.into_response(response).map_into_right_body())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_overlong_lines_are_refused() {
        assert!(check_request_line("/users", "page=0&size=20").is_ok());
        assert!(check_request_line("/users/search/findByFirstName", "firstName=J%C3%A9r%C3%B4me").is_ok());
        assert!(check_request_line("/auth/realms/%00/protocol/openid-connect/certs", "").is_err());
        assert!(check_request_line("/users", "firstName=%00").is_err());
        assert!(check_request_line("/users", "firstName=a%0Ab").is_err());
        assert!(check_request_line("/users", "firstName=a%7Fb").is_err());
        assert!(check_request_line("/users", &"a".repeat(MAX_QUERY + 1)).is_err());
        assert!(check_request_line("/tables/t/rows/k/%FF", "").is_err());
        assert!(check_request_line("/users", "firstName=%C3").is_err());
        assert!(check_request_line("/tables/t/rows/k/%C3%A9", "").is_ok());
        assert!(check_request_line(&format!("/{}", "a".repeat(MAX_PATH)), "").is_err());
    }
}
