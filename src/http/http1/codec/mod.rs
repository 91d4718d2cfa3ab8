//! The sans-IO HTTP/1.1 codec: request and response heads, body framing
//! in both directions, for the server and the client role alike.
