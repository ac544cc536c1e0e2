// The sample answer of "Get User Vcard" (../shared/upstream-docs/vcard-api.txt), verbatim:
// the full user document, secrets included.
export const sampleUserDocumentEnvelope = {
  data: {
    call_forward: {
      direct_calls_only: false,
      enabled: false,
      failover: false,
      ignore_early_media: true,
      keep_caller_id: true,
      number: 'string',
      require_keypress: true,
      substitute: true,
    },
    call_recording: {
      any: {
        any: {
          enabled: true,
          format: 'mp3',
          record_min_sec: 0,
          record_on_answer: true,
          record_on_bridge: true,
          record_sample_rate: 0,
          time_limit: 5,
          url: 'http://example.com',
        },
        offnet: {
          enabled: true,
          format: 'mp3',
          record_min_sec: 0,
          record_on_answer: true,
          record_on_bridge: true,
          record_sample_rate: 0,
          time_limit: 5,
          url: 'http://example.com',
        },
        onnet: {
          enabled: true,
          format: 'mp3',
          record_min_sec: 0,
          record_on_answer: true,
          record_on_bridge: true,
          record_sample_rate: 0,
          time_limit: 5,
          url: 'http://example.com',
        },
      },
      inbound: {
        any: {
          enabled: true,
          format: 'mp3',
          record_min_sec: 0,
          record_on_answer: true,
          record_on_bridge: true,
          record_sample_rate: 0,
          time_limit: 5,
          url: 'http://example.com',
        },
        offnet: {
          enabled: true,
          format: 'mp3',
          record_min_sec: 0,
          record_on_answer: true,
          record_on_bridge: true,
          record_sample_rate: 0,
          time_limit: 5,
          url: 'http://example.com',
        },
        onnet: {
          enabled: true,
          format: 'mp3',
          record_min_sec: 0,
          record_on_answer: true,
          record_on_bridge: true,
          record_sample_rate: 0,
          time_limit: 5,
          url: 'http://example.com',
        },
      },
      outbound: {
        any: {
          enabled: true,
          format: 'mp3',
          record_min_sec: 0,
          record_on_answer: true,
          record_on_bridge: true,
          record_sample_rate: 0,
          time_limit: 5,
          url: 'http://example.com',
        },
        offnet: {
          enabled: true,
          format: 'mp3',
          record_min_sec: 0,
          record_on_answer: true,
          record_on_bridge: true,
          record_sample_rate: 0,
          time_limit: 5,
          url: 'http://example.com',
        },
        onnet: {
          enabled: true,
          format: 'mp3',
          record_min_sec: 0,
          record_on_answer: true,
          record_on_bridge: true,
          record_sample_rate: 0,
          time_limit: 5,
          url: 'http://example.com',
        },
      },
    },
    call_restriction: {},
    call_waiting: {
      enabled: true,
    },
    caller_id: {
      asserted: {
        name: 'string',
        number: 'string',
        realm: 'string',
      },
      emergency: {
        name: 'string',
        number: 'string',
      },
      external: {
        name: 'string',
        number: 'string',
      },
      internal: {
        name: 'string',
        number: 'string',
      },
    },
    caller_id_options: {
      outbound_privacy: 'full',
    },
    contact_list: {},
    dial_plan: {
      system: ['string'],
      property1: {
        description: 'string',
        prefix: 'string',
        suffix: 'string',
      },
      property2: {
        description: 'string',
        prefix: 'string',
        suffix: 'string',
      },
    },
    directories: {},
    do_not_disturb: {
      enabled: true,
    },
    email: '[email protected]',
    enabled: true,
    feature_level: 'string',
    first_name: 'string',
    flags: ['string'],
    formatters: {
      property1: [
        {
          direction: 'inbound',
          match_invite_format: true,
          prefix: 'string',
          regex: '/regex/',
          strip: true,
          suffix: 'string',
          value: 'string',
        },
      ],
      property2: [
        {
          direction: 'inbound',
          match_invite_format: true,
          prefix: 'string',
          regex: '/regex/',
          strip: true,
          suffix: 'string',
          value: 'string',
        },
      ],
    },
    hotdesk: {},
    language: 'string',
    last_name: 'string',
    media: {
      audio: {},
      bypass_media: true,
      encryption: {},
      fax_option: true,
      ignore_early_media: true,
      progress_timeout: 0,
      video: {},
    },
    metaflows: {
      binding_digit: '1',
      digit_timeout: 0,
      listen_on: 'both',
      numbers: {
        property1: {
          children: {
            property1: {
              children: {},
              data: {},
              module: 'string',
            },
            property2: {
              children: {},
              data: {},
              module: 'string',
            },
          },
          data: {},
          module: 'string',
        },
        property2: {
          children: {
            property1: {
              children: {},
              data: {},
              module: 'string',
            },
            property2: {
              children: {},
              data: {},
              module: 'string',
            },
          },
          data: {},
          module: 'string',
        },
      },
      patterns: {
        property1: {
          children: {
            property1: {
              children: {},
              data: {},
              module: 'string',
            },
            property2: {
              children: {},
              data: {},
              module: 'string',
            },
          },
          data: {},
          module: 'string',
        },
        property2: {
          children: {
            property1: {
              children: {},
              data: {},
              module: 'string',
            },
            property2: {
              children: {},
              data: {},
              module: 'string',
            },
          },
          data: {},
          module: 'string',
        },
      },
    },
    music_on_hold: {},
    password: 'string',
    presence_id: 'string',
    priv_level: 'user',
    profile: {
      addresses: [
        {
          address: 'string',
          types: ['dom'],
        },
      ],
      assistant: 'string',
      birthday: 'string',
      nicknames: ['string'],
      note: 'string',
      role: 'string',
      'sort-string': 'string',
      title: 'string',
    },
    pronounced_name: {
      media_id: 'string',
    },
    require_password_update: false,
    ringtones: {},
    timezone: 'string',
    username: 'string',
    verified: false,
    vm_to_email_enabled: true,
    voicemail: {
      notify: {
        callback: {
          attempts: 0,
          disabled: true,
          interval_s: 0,
          number: 'string',
          schedule: [0],
          timeout_s: 0,
        },
      },
    },
  },
} as const;
