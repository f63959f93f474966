/** The agent's checks of a secure collection's roster keys against its own CA; the whole public surface. */
export { verifyPeerKeys, type OwnIdentity, type PeerKeyFailure, type PeerKeyRefusal, type PeerKeyTrust } from './verify-peer-keys';
