//! DRF's own messages (the ones its fields, parsers, negotiation and views raise), in the
//! configured language: DRF 3.14's English and Russian catalogues, as captured. The
//! dialects' own messages stay with the dialects.

use super::super::Language;

/// DRF's own messages in the configured language (DRF 3.14's catalogues, as captured).
#[derive(Clone, Copy)]
pub(crate) struct Texts(pub(crate) Language);

impl Texts {
    pub(super) fn required(self) -> &'static str {
        match self.0 {
            Language::En => "This field is required.",
            Language::Ru => "Обязательное поле.",
        }
    }

    pub(super) fn blank(self) -> &'static str {
        match self.0 {
            Language::En => "This field may not be blank.",
            Language::Ru => "Это поле не может быть пустым.",
        }
    }

    pub(super) fn null(self) -> &'static str {
        match self.0 {
            Language::En => "This field may not be null.",
            Language::Ru => "Это поле не может быть пустым.",
        }
    }

    pub(super) fn null_characters(self) -> &'static str {
        match self.0 {
            Language::En => "Null characters are not allowed.",
            Language::Ru => "Данные содержат запрещённый символ: ноль-байт",
        }
    }

    pub(super) fn invalid_data(self, datatype: &str) -> String {
        match self.0 {
            Language::En => {
                format!("Invalid data. Expected a dictionary, but got {datatype}.")
            }
            Language::Ru => {
                format!("Недопустимые данные. Ожидался dictionary, но был получен {datatype}.")
            }
        }
    }

    pub(super) fn method_not_allowed(self, method: &str) -> String {
        match self.0 {
            Language::En => format!("Method \"{method}\" not allowed."),
            Language::Ru => format!("Метод \"{method}\" не разрешен."),
        }
    }

    pub(super) fn unsupported_media_type(self, media_type: &str) -> String {
        match self.0 {
            Language::En => format!("Unsupported media type \"{media_type}\" in request."),
            Language::Ru => format!("Неподдерживаемый тип данных \"{media_type}\" в запросе."),
        }
    }

    pub(super) fn not_acceptable(self) -> &'static str {
        match self.0 {
            Language::En => "Could not satisfy the request Accept header.",
            Language::Ru => "Невозможно удовлетворить \"Accept\" заголовок запроса.",
        }
    }
}
