CREATE TABLE `event_stats` (
	`event_id` text NOT NULL,
	`hour` integer NOT NULL,
	`sessions` integer DEFAULT 0 NOT NULL,
	`photos_uploaded` integer DEFAULT 0 NOT NULL,
	`pictures` integer DEFAULT 0 NOT NULL,
	`take_home_opens` integer DEFAULT 0 NOT NULL,
	`downloads` integer DEFAULT 0 NOT NULL,
	`prints` integer DEFAULT 0 NOT NULL,
	`telegram_deliveries` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`event_id`, `hour`),
	FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON UPDATE no action ON DELETE cascade
);
