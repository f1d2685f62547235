//! Phone numbers as links: what a `tel:` address needs so a phone can dial the number as a
//! reader of the printed page would.

/// `tel:` URI for a number written in resources.yaml: digits only, its country code kept when
/// it is written with `+`, `+1` added to ten-digit North American numbers, short codes such as
/// 988 kept as they are. `region` is the book's region subtag (`US` of `en-US`).
pub fn tel_uri(phone: &str, region: Option<&str>) -> String {
    let _ = region;
    let digits: String = phone.chars().filter(|c| c.is_ascii_digit()).collect();
    if phone.trim_start().starts_with('+') {
        format!("tel:+{digits}")
    } else if digits.len() == 10 {
        format!("tel:+1{digits}")
    } else if digits.len() == 11 && digits.starts_with('1') {
        format!("tel:+{digits}")
    } else {
        format!("tel:{digits}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_become_dialable_uris() {
        assert_eq!(tel_uri("1-800-662-4357", Some("US")), "tel:+18006624357");
        assert_eq!(tel_uri("800-662-4357", Some("US")), "tel:+18006624357");
        assert_eq!(tel_uri("988", Some("US")), "tel:988");
        assert_eq!(tel_uri("+52 55 5555 1234", Some("US")), "tel:+525555551234");
    }
}
