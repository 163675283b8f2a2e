//! One connection to one broker: framing, correlation, API version negotiation and the
//! limits every exchange keeps.

use super::{KafkaError, KafkaLimits, KafkaTls, refused};
use bytes::{BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{ApiKey, ApiVersionsRequest, RequestHeader, ResponseHeader};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, StrBytes};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::ops::RangeInclusive;

/// A byte stream to a broker: plain TCP or TLS over it.
trait Transport: Read + Write + Send {}
impl<T: Read + Write + Send> Transport for T {}

/// One connection to one broker, with the API versions it offers.
pub(super) struct Connection {
    pub(super) address: String,
    stream: Box<dyn Transport>,
    correlation: i32,
    versions: HashMap<i16, (i16, i16)>,
    max_response_bytes: usize,
}

impl Connection {
    /// Connects to `address` (`host:port`), over TLS when `tls` is given (the broker's
    /// certificate checked against its roots and the host), and negotiates API versions.
    pub(super) fn open(address: &str, limits: &KafkaLimits, tls: Option<&KafkaTls>) -> Result<Connection, KafkaError> {
        let failed = |reason: String| KafkaError::Protocol { broker: address.to_owned(), reason };
        let addresses =
            address.to_socket_addrs().map_err(|err| failed(format!("the address does not resolve: {err}")))?;
        let mut last = None;
        let mut stream = None;
        for socket in addresses {
            match TcpStream::connect_timeout(&socket, limits.connect_timeout) {
                Ok(connected) => {
                    stream = Some(connected);
                    break;
                }
                Err(err) => last = Some(err),
            }
        }
        let stream = stream.ok_or_else(|| {
            failed(format!("cannot connect: {}", last.map_or_else(|| "no address".to_owned(), |e| e.to_string())))
        })?;
        let configure = |result: std::io::Result<()>| result.map_err(|err| failed(err.to_string()));
        configure(stream.set_read_timeout(Some(limits.io_timeout)))?;
        configure(stream.set_write_timeout(Some(limits.io_timeout)))?;
        configure(stream.set_nodelay(true))?;
        let stream: Box<dyn Transport> = match tls {
            None => Box::new(stream),
            Some(tls) => {
                let host = address.rsplit_once(':').map_or(address, |(host, _)| host);
                let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
                let name = rustls::pki_types::ServerName::try_from(host.to_owned())
                    .map_err(|_| failed(format!("'{host}' is not a host name TLS can check")))?;
                let session = rustls::ClientConnection::new(tls.config.clone(), name)
                    .map_err(|err| failed(format!("TLS: {err}")))?;
                let mut secured = rustls::StreamOwned::new(session, stream);
                // The handshake now, so a refused certificate is reported as such.
                while secured.conn.is_handshaking() {
                    secured
                        .conn
                        .complete_io(&mut secured.sock)
                        .map_err(|err| failed(format!("TLS handshake failed: {err}")))?;
                }
                Box::new(secured)
            }
        };
        let mut connection = Connection {
            address: address.to_owned(),
            stream,
            correlation: 0,
            versions: HashMap::new(),
            max_response_bytes: limits.max_response_bytes,
        };
        // Version 2: every broker since 0.10.1 answers it, and Kafka 4 still does.
        let offered: kafka_protocol::messages::ApiVersionsResponse =
            connection.send(ApiKey::ApiVersions, &ApiVersionsRequest::default(), 2)?;
        refused("ApiVersions", address, offered.error_code, None)?;
        connection.versions =
            offered.api_keys.iter().map(|api| (api.api_key, (api.min_version, api.max_version))).collect();
        Ok(connection)
    }

    pub(super) fn failed(&self, reason: impl Into<String>) -> KafkaError {
        KafkaError::Protocol { broker: self.address.clone(), reason: reason.into() }
    }

    /// The newest version of `api` both sides speak, within `ours`.
    pub(super) fn version(
        &self,
        api: ApiKey,
        name: &'static str,
        ours: RangeInclusive<i16>,
    ) -> Result<i16, KafkaError> {
        let unsupported = || KafkaError::Unsupported { broker: self.address.clone(), api: name };
        let (min, max) = self.versions.get(&(api as i16)).copied().ok_or_else(unsupported)?;
        let top = max.min(*ours.end());
        if top < min.max(*ours.start()) {
            return Err(unsupported());
        }
        Ok(top)
    }

    /// Sends `request` as `api` at `version` and reads its answer.
    pub(super) fn send<R: Encodable + HeaderVersion, S: Decodable + HeaderVersion>(
        &mut self,
        api: ApiKey,
        request: &R,
        version: i16,
    ) -> Result<S, KafkaError> {
        self.correlation = self.correlation.wrapping_add(1);
        let mut header = RequestHeader::default();
        header.request_api_key = api as i16;
        header.request_api_version = version;
        header.correlation_id = self.correlation;
        header.client_id = Some(StrBytes::from_static_str("portico"));
        let mut frame = BytesMut::new();
        frame.put_i32(0);
        let encoded =
            header.encode(&mut frame, R::header_version(version)).and_then(|()| request.encode(&mut frame, version));
        encoded.map_err(|err| self.failed(format!("cannot encode a request: {err}")))?;
        let size = i32::try_from(frame.len() - 4).map_err(|_| self.failed("a request is too large"))?;
        frame[..4].copy_from_slice(&size.to_be_bytes());
        self.stream.write_all(&frame).map_err(|err| self.failed(format!("cannot send: {err}")))?;
        let mut size = [0u8; 4];
        self.stream.read_exact(&mut size).map_err(|err| self.failed(format!("no answer: {err}")))?;
        let size = usize::try_from(i32::from_be_bytes(size)).map_err(|_| self.failed("a negative response size"))?;
        if size > self.max_response_bytes {
            return Err(self.failed(format!("a response of {size} bytes is over the limit")));
        }
        let mut body = vec![0u8; size];
        self.stream.read_exact(&mut body).map_err(|err| self.failed(format!("a response broke off: {err}")))?;
        let mut body = Bytes::from(body);
        let answer = ResponseHeader::decode(&mut body, S::header_version(version))
            .map_err(|err| self.failed(format!("a malformed response header: {err}")))?;
        if answer.correlation_id != self.correlation {
            return Err(self.failed("a response to another request"));
        }
        S::decode(&mut body, version).map_err(|err| self.failed(format!("a malformed response: {err}")))
    }
}
