//! What every DRF `APIView` does before its serializer runs, shared by the dialects whose
//! views are DRF views.

use bytes::Bytes;

use super::body::request_data;
use super::negotiation::accept_satisfiable;
use super::pyjson::{PyStr, PyValue};
use super::render::{detail, drf, non_field_error};
use super::texts::Texts;
use crate::dialects::DialectRequest;
use crate::respond::LocalResponse;

/// DRF's answer to a `null` body, English in every language (as observed).
const NO_DATA: &str = "No data provided";

/// What every DRF `APIView` does before the serializer: content negotiation (406),
/// OPTIONS metadata, 405 for anything but POST (HEAD without a body), parsing the body
/// by media type (415, JSON errors), and refusing data that is not a dictionary.
pub(crate) fn post_data(
    request: &DialectRequest<'_>,
    texts: Texts,
    options_metadata: &str,
) -> Result<Vec<(PyStr, PyValue)>, LocalResponse> {
    // APIView.initial(): content negotiation comes before the handler is picked.
    if !accept_satisfiable(request.headers) {
        return Err(detail(406, texts.not_acceptable()));
    }
    if request.method == http::Method::OPTIONS {
        return Err(drf(200, options_metadata.to_owned()));
    }
    if request.method != http::Method::POST {
        let mut response = detail(405, &texts.method_not_allowed(request.method.as_str()));
        if request.method == http::Method::HEAD {
            response.body = Bytes::new();
        }
        return Err(response);
    }
    match request_data(request, texts)? {
        PyValue::Dict(pairs) => Ok(pairs),
        PyValue::Null => Err(non_field_error(NO_DATA)),
        other => Err(non_field_error(&texts.invalid_data(other.type_name()))),
    }
}
