/**
 * Throwaway self-signed certificate (and its key) for the simulator's local media host, valid
 * 2000–2099 for 127.0.0.1/localhost. It is public on purpose and must only ever be trusted by sockets
 * created in simulator mode (via `simulatorMediaAgent()`), never installed in a trust store.
 */
export const SIMULATOR_MEDIA_CERT = `-----BEGIN CERTIFICATE-----
MIIBzTCCAXKgAwIBAgIBATAKBggqhkjOPQQDAjA0MTIwMAYDVQQDDClXaGF0c0Fw
cCBzaW11bGF0b3IgbWVkaWEgaG9zdCAodGVzdCBvbmx5KTAgFw0wMDAxMDEwMDAw
MDBaGA8yMDk5MTIzMTIzNTk1OVowNDEyMDAGA1UEAwwpV2hhdHNBcHAgc2ltdWxh
dG9yIG1lZGlhIGhvc3QgKHRlc3Qgb25seSkwWTATBgcqhkjOPQIBBggqhkjOPQMB
BwNCAASwN0ID2JSf/EhoMNL3jegXh2GOSovQq2rQe5F0etr6jOYeeaypsfZxByjX
YOojS6ntbz/in9JAElb90NHPzhCFo3MwcTAaBgNVHREEEzARhwR/AAABgglsb2Nh
bGhvc3QwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAoQwEwYDVR0lBAww
CgYIKwYBBQUHAwEwHQYDVR0OBBYEFNxajux9PhZ6k1ehkgJSXr1LScanMAoGCCqG
SM49BAMCA0kAMEYCIQCO2UCC5vklEKHT6plqX7vww+51+i6W8khsWMBtorD1oAIh
APKaI9s/TDjWEzx53xUijOjHxykszYqquEbG+1DyNgN7
-----END CERTIFICATE-----
`;

export const SIMULATOR_MEDIA_KEY = `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIPSJFKsnkiqkTEjq0Qzt2AsJ6fMXbcwGJVtkeXl2o04QoAoGCCqGSM49
AwEHoUQDQgAEsDdCA9iUn/xIaDDS943oF4dhjkqL0Ktq0HuRdHra+ozmHnmsqbH2
cQco12DqI0up7W8/4p/SQBJW/dDRz84QhQ==
-----END EC PRIVATE KEY-----
`;
