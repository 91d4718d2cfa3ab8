//! `tcpclient` (layer 2: streams and sockets).
