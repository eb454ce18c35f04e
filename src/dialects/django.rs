//! Django and Django REST framework as the Django dialects (`simplejwt`, `drf_jwt`) meet
//! them: what happens to a request before a DRF serializer sees it and how DRF and Django
//! write the answer, reproduced byte for byte. The dialects own their endpoints, messages,
//! claims and tokens; this module owns the framework under them:
//!
//! - `view.rs`: the `APIView` prelude (406, OPTIONS, 405, parse, "expected a dictionary");
//! - `negotiation.rs`: Django's `parse_header`, DRF's media type matching, `Accept`;
//! - `body.rs`: `request.data` from JSON, form and multipart bodies (415, Django's limits);
//! - `pyjson.rs`: Python's values and Python 3.11's `json` parser with its error messages;
//! - `fields.rs`: DRF's `CharField` validation and Python's `str()` of numbers;
//! - `texts.rs`: DRF's own messages in English and Russian;
//! - `render.rs`: DRF's headers and error bodies, JSON strings, Django's HTML error pages.

mod body;
mod fields;
#[cfg(test)]
pub(crate) mod gunicorn;
mod negotiation;
mod pyjson;
mod render;
mod texts;
mod view;

pub(crate) use self::fields::{one_char_field, py_float_repr, py_strip, two_char_fields};
pub(crate) use self::pyjson::{PyStr, PyValue};
pub(crate) use self::render::{
    detail, django42, drf, non_field_error, push_json_string, server_error, strings_body,
    throttled, too_large,
};
pub(crate) use self::texts::Texts;
pub(crate) use self::view::post_data;
