//! Typed payloads of the common triggers. Every field is optional (what a trigger sends
//! depends on its configuration) and typed as elsewhere in the SDK: IDs keep every digit,
//! times are UTC. Fields not listed here are kept in `extra`.
//!
//! ```
//! use bold360_sdk::trigger::{payload::ChatClosed, TriggerFields, TriggerVerifier};
//! let url = "https://hooks.example.com/chat-closed";
//! let verifier = TriggerVerifier::new("key");
//! let mut fields = TriggerFields::from_form(
//!     b"ChatID=107984128488260560&Ended=2024-05-01T10:05:00Z&Rating=5&signed=ChatID%26Ended%26Rating",
//! );
//! fields.insert("signature", verifier.sign(url, &fields).unwrap());
//! let closed: ChatClosed = verifier.verify(url, &fields).unwrap().parse().unwrap();
//! assert_eq!(closed.chat_id.unwrap().as_str(), "107984128488260560");
//! assert_eq!(closed.extra["Rating"], "5");
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::methods::ids::{ChatId, ChatMessageId, ClientId, DepartmentId, FolderId, OperatorId};

macro_rules! payload {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident: $ty:ty = $wire:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
        #[non_exhaustive]
        pub struct $name {
            $(
                $(#[$fdoc])*
                #[serde(rename = $wire, default, deserialize_with = "crate::fields::wire::deserialize_opt", skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
            /// Fields not listed above, as sent (including `signed` and `signature`).
            #[serde(flatten)]
            pub extra: serde_json::Map<String, serde_json::Value>,
        }
    };
}

payload!(
    /// A chat started.
    ChatStarted {
        /// `ChatID`
        chat_id: ChatId = "ChatID",
        /// `DepartmentID`
        department_id: DepartmentId = "DepartmentID",
        /// `FolderID`
        folder_id: FolderId = "FolderID",
        /// `Created`
        created: DateTime<Utc> = "Created",
        /// `Started`
        started: DateTime<Utc> = "Started",
        /// `ChatName`: the visitor's name.
        chat_name: String = "ChatName",
        /// `InitialQuestion`
        initial_question: String = "InitialQuestion",
        /// `VisitEmailAddress`
        visit_email_address: String = "VisitEmailAddress",
    }
);

payload!(
    /// An agent answered a chat.
    ChatAnswered {
        /// `ChatID`
        chat_id: ChatId = "ChatID",
        /// `OperatorID`
        operator_id: OperatorId = "OperatorID",
        /// `DepartmentID`
        department_id: DepartmentId = "DepartmentID",
        /// `Started`
        started: DateTime<Utc> = "Started",
        /// `Answered`
        answered: DateTime<Utc> = "Answered",
    }
);

payload!(
    /// A chat closed.
    ChatClosed {
        /// `ChatID`
        chat_id: ChatId = "ChatID",
        /// `OperatorID`
        operator_id: OperatorId = "OperatorID",
        /// `DepartmentID`
        department_id: DepartmentId = "DepartmentID",
        /// `Started`
        started: DateTime<Utc> = "Started",
        /// `Answered`
        answered: DateTime<Utc> = "Answered",
        /// `Ended`
        ended: DateTime<Utc> = "Ended",
        /// `ChatTranscript`: the messages as JSON text.
        chat_transcript: String = "ChatTranscript",
    }
);

payload!(
    /// A chat could not be served (no agent available, queue full…).
    ChatUnavailable {
        /// `ChatID`
        chat_id: ChatId = "ChatID",
        /// `DepartmentID`
        department_id: DepartmentId = "DepartmentID",
        /// `Created`
        created: DateTime<Utc> = "Created",
        /// `Availability`: 2 unknown reason, 3 queue limit, 4 no agents logged in.
        availability: i64 = "Availability",
        /// `InitialQuestion`
        initial_question: String = "InitialQuestion",
    }
);

payload!(
    /// A message was added to a chat.
    ChatMessageAdded {
        /// `ChatID`
        chat_id: ChatId = "ChatID",
        /// `ChatMessageID`
        chat_message_id: ChatMessageId = "ChatMessageID",
        /// `Created`
        created: DateTime<Utc> = "Created",
        /// `PersonType`: 0 agent, 1 visitor, 4 system…
        person_type: i64 = "PersonType",
        /// `Name`
        name: String = "Name",
        /// `Text`
        text: String = "Text",
    }
);

payload!(
    /// An agent's status changed.
    AgentStatusChanged {
        /// `LoginID`: the agent.
        login_id: OperatorId = "LoginID",
        /// `UserName`
        user_name: String = "UserName",
        /// `StatusType`: 0 offline, 1 away, 2 available.
        status_type: i64 = "StatusType",
        /// `CustomOperatorStatusID`
        custom_operator_status_id: crate::fields::id::Id = "CustomOperatorStatusID",
        /// `ServiceTypeID`: 1 chats, 3 emails, 5 tickets, 9 SMS, 10 Twitter, 15 messaging.
        service_type_id: i64 = "ServiceTypeID",
        /// `ClientID`
        client_id: ClientId = "ClientID",
        /// `Created`
        created: DateTime<Utc> = "Created",
    }
);
