import { NotConnectedError, type WhatsAppGateway } from './gateway.js';

/** The gateway when no engine is wired: every live operation fails with a clear NotConnectedError. */
export function disconnectedGateway(): WhatsAppGateway {
  const fail = async (): Promise<never> => {
    throw new NotConnectedError();
  };
  return {
    isConnected: () => false,
    sendText: fail,
    sendMedia: fail,
    downloadMedia: fail,
    groupMetadata: fail,
    profilePictureUrl: fail,
    onWhatsApp: fail,
    sendAction: fail,
    sendPresence: fail,
    createGroup: fail,
    updateGroupParticipants: fail,
    updateGroupSettings: fail,
    groupInviteCode: fail,
    joinGroup: fail,
    leaveGroup: fail,
    modifyChat: fail,
    setBlocked: fail,
  };
}
