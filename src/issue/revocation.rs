//! Issuing revocation lists.

use ed25519_dalek::Signer;

use crate::error::{IssueError, ListError};
use crate::issue::Issuer;
use crate::model::kind::ObjectKind;
use crate::model::limits::MAX_LIST_SERIALS;
use crate::verify::revocation::UnverifiedRevocationList;
use crate::wire::envelope::{self, HEADER_LEN, SIGNATURE_LEN};
use crate::wire::revocation::{
    check_serials, signing_input, Fields, NewRevocationList, MAX_FIXED_FIELDS_LEN, SERIAL_LEN,
    SIGNING_INPUT_LEN,
};

impl Issuer {
    /// Signs a revocation list, writing its body into `out` (size it with
    /// [`max_revocation_list_len`](crate::max_revocation_list_len)). Write it out with
    /// [`UnverifiedRevocationList::text`] (small lists) or
    /// [`UnverifiedRevocationList::write_file_into`].
    ///
    /// The serials must be strictly increasing; the next update, if any, after the issue time.
    pub fn issue_revocation_list<'o>(
        &self,
        list: &NewRevocationList<'_>,
        out: &'o mut [u8],
    ) -> Result<UnverifiedRevocationList<'o>, IssueError> {
        let count = list.serials.len();
        if count > MAX_LIST_SERIALS {
            return Err(ListError::TooManySerials { count }.into());
        }
        check_serials(list.serials.iter().map(|s| Ok(s.value())))?;
        let fields = Fields {
            sequence: list.sequence,
            issued_at: list.issued_at,
            next_update: list.next_update,
            serials: &[],
        };
        let mut fixed = [0u8; MAX_FIXED_FIELDS_LEN];
        let fixed_len = fields.encode_fixed(count * SERIAL_LEN, &mut fixed)?;
        let payload_len = fixed_len + count * SERIAL_LEN;
        let body_len = HEADER_LEN + payload_len + SIGNATURE_LEN;
        let body = out
            .get_mut(..body_len)
            .ok_or(IssueError::BufferTooSmall { needed: body_len })?;
        let (header, rest) = body.split_at_mut(HEADER_LEN);
        let (payload, signature) = rest.split_at_mut(payload_len);
        let key_header = envelope::header(ObjectKind::RevocationList, self.key_id());
        header.copy_from_slice(&key_header);
        let (head, serials) = payload.split_at_mut(fixed_len);
        head.copy_from_slice(fixed.get(..fixed_len).unwrap_or_default());
        for (dst, s) in serials.chunks_exact_mut(SERIAL_LEN).zip(list.serials) {
            dst.copy_from_slice(&s.to_be_bytes());
        }
        let mut buf = [0u8; SIGNING_INPUT_LEN];
        let msg = signing_input(&key_header, payload, &mut buf);
        signature.copy_from_slice(&self.signing_key().sign(msg).to_bytes());
        let body: &'o [u8] = body;
        UnverifiedRevocationList::from_body(body).map_err(IssueError::SelfCheck)
    }
}
