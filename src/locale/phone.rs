//! Phone numbers as links: what a `tel:` address needs so a phone can dial the number as a
//! reader of the printed page would.

/// `tel:` URI for a number written in resources.yaml: digits only; a number written with `+`
/// keeps its country code; in a book for the United States or Canada (region `US` or `CA` of
/// its language tag) a ten-digit number, or an eleven-digit one starting with 1, is North
/// American and gets `+1`; anything else (short codes such as 988, local numbers elsewhere) is
/// dialled as written.
pub fn tel_uri(phone: &str, region: Option<&str>) -> String {
    let digits: String = phone.chars().filter(|c| c.is_ascii_digit()).collect();
    let north_american = matches!(region, Some("US" | "CA"));
    if phone.trim_start().starts_with('+') {
        format!("tel:+{digits}")
    } else if north_american && digits.len() == 10 {
        format!("tel:+1{digits}")
    } else if north_american && digits.len() == 11 && digits.starts_with('1') {
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
        assert_eq!(tel_uri("+52 55 5555 1234", None), "tel:+525555551234");
        assert_eq!(tel_uri("(613) 555-0101", Some("CA")), "tel:+16135550101");
        // Outside North America a ten-digit number is a local one.
        assert_eq!(tel_uri("0612345678", Some("FR")), "tel:0612345678");
        assert_eq!(tel_uri("800-662-4357", None), "tel:8006624357");
    }
}
