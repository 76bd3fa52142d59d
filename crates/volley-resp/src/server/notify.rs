//! Keyspace notifications (`notify-keyspace-events`): commands report what they did to a key
//! with [`Ctx::notify`](super::Ctx::notify); the events the configuration asks for wait in
//! [`ServerState::events`](super::ServerState::events), each with the channels and messages
//! Redis publishes for it, until the pub/sub layer delivers them (or the batch ends).

/// What kind of change an event reports: the letters of `notify-keyspace-events`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventClass {
    /// `g`: commands on any type (DEL, EXPIRE, RENAME...).
    Generic,
    /// `$`: string commands.
    String,
    /// `l`: list commands.
    List,
    /// `s`: set commands.
    Set,
    /// `h`: hash commands.
    Hash,
    /// `z`: sorted-set commands.
    ZSet,
    /// `x`: a key expired.
    Expired,
    /// `e`: a key was evicted.
    Evicted,
    /// `t`: stream commands.
    Stream,
    /// `m`: a read found no key (not included in `A`).
    KeyMiss,
}

impl EventClass {
    fn bit(self) -> u16 {
        1 << match self {
            EventClass::Generic => 0,
            EventClass::String => 1,
            EventClass::List => 2,
            EventClass::Set => 3,
            EventClass::Hash => 4,
            EventClass::ZSet => 5,
            EventClass::Expired => 6,
            EventClass::Evicted => 7,
            EventClass::Stream => 8,
            EventClass::KeyMiss => 9,
        }
    }
}

const KEYSPACE: u16 = 1 << 14;
const KEYEVENT: u16 = 1 << 15;
/// `A`: every class but key misses.
const ALL: u16 = 0b01_1111_1111;

/// The parsed `notify-keyspace-events` setting.
///
/// ```
/// use volley_resp::server::{EventClass, NotifyFlags};
/// let flags = NotifyFlags::parse("Kl");
/// assert!(flags.wants(EventClass::List));
/// assert!(!flags.wants(EventClass::Set));
/// assert!(!NotifyFlags::parse("l").wants(EventClass::List), "neither K nor E: nothing");
/// assert!(NotifyFlags::parse("EA").wants(EventClass::Expired));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NotifyFlags(u16);

impl NotifyFlags {
    /// Reads the letters Redis accepts (the setting was validated when set).
    ///
    /// ```
    /// use volley_resp::server::NotifyFlags;
    /// assert_eq!(NotifyFlags::parse(""), NotifyFlags::default());
    /// ```
    pub fn parse(letters: &str) -> NotifyFlags {
        let mut bits = 0;
        for letter in letters.chars() {
            bits |= match letter {
                'K' => KEYSPACE,
                'E' => KEYEVENT,
                'A' => ALL,
                'g' => EventClass::Generic.bit(),
                '$' => EventClass::String.bit(),
                'l' => EventClass::List.bit(),
                's' => EventClass::Set.bit(),
                'h' => EventClass::Hash.bit(),
                'z' => EventClass::ZSet.bit(),
                'x' => EventClass::Expired.bit(),
                'e' => EventClass::Evicted.bit(),
                't' => EventClass::Stream.bit(),
                'm' => EventClass::KeyMiss.bit(),
                _ => 0,
            };
        }
        NotifyFlags(bits)
    }

    /// Whether events of `class` are published (on the keyspace or keyevent channels).
    ///
    /// ```
    /// use volley_resp::server::{EventClass, NotifyFlags};
    /// assert!(!NotifyFlags::default().wants(EventClass::Generic));
    /// ```
    pub fn wants(self, class: EventClass) -> bool {
        self.0 & class.bit() != 0 && self.0 & (KEYSPACE | KEYEVENT) != 0
    }

    /// Whether `__keyspace@db__:key` channels get events.
    ///
    /// ```
    /// use volley_resp::server::NotifyFlags;
    /// assert!(NotifyFlags::parse("K$").keyspace());
    /// ```
    pub fn keyspace(self) -> bool {
        self.0 & KEYSPACE != 0
    }

    /// Whether `__keyevent@db__:event` channels get events.
    ///
    /// ```
    /// use volley_resp::server::NotifyFlags;
    /// assert!(!NotifyFlags::parse("K$").keyevent());
    /// ```
    pub fn keyevent(self) -> bool {
        self.0 & KEYEVENT != 0
    }
}

/// One message to publish for a keyspace event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyEvent {
    /// The channel: `__keyspace@<db>__:<key>` or `__keyevent@<db>__:<event>`.
    pub channel: Vec<u8>,
    /// The message: the event name on a keyspace channel, the key on a keyevent channel.
    pub message: Vec<u8>,
}

/// Appends the messages Redis publishes for `event` on `key` in database `db`, as `flags`
/// ask (nothing when they do not want `class`).
///
/// ```
/// use volley_resp::server::{key_event, EventClass, KeyEvent, NotifyFlags};
/// let mut events = Vec::new();
/// key_event(&mut events, NotifyFlags::parse("KEA"), EventClass::List, "lpush", 0, b"q");
/// assert_eq!(events, [
///     KeyEvent { channel: b"__keyspace@0__:q".to_vec(), message: b"lpush".to_vec() },
///     KeyEvent { channel: b"__keyevent@0__:lpush".to_vec(), message: b"q".to_vec() },
/// ]);
/// ```
pub fn key_event(
    events: &mut Vec<KeyEvent>,
    flags: NotifyFlags,
    class: EventClass,
    event: &str,
    db: usize,
    key: &[u8],
) {
    if !flags.wants(class) {
        return;
    }
    if flags.keyspace() {
        let mut channel = format!("__keyspace@{db}__:").into_bytes();
        channel.extend_from_slice(key);
        events.push(KeyEvent {
            channel,
            message: event.as_bytes().to_vec(),
        });
    }
    if flags.keyevent() {
        events.push(KeyEvent {
            channel: format!("__keyevent@{db}__:{event}").into_bytes(),
            message: key.to_vec(),
        });
    }
}
