-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
--
-- Host: localhost    Database: yourls
-- ------------------------------------------------------
-- Server version	8.0.36

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!50503 SET NAMES utf8mb4 */;
/*!40103 SET TIME_ZONE='+00:00' */;

--
-- Table structure for table `yourls_log`
--

DROP TABLE IF EXISTS `yourls_log`;
CREATE TABLE `yourls_log` (
  `click_id` int NOT NULL AUTO_INCREMENT,
  `click_time` datetime NOT NULL,
  `shorturl` varchar(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  `referrer` varchar(200) NOT NULL,
  `user_agent` varchar(255) NOT NULL,
  `ip_address` varchar(41) NOT NULL,
  `country_code` char(2) NOT NULL,
  PRIMARY KEY (`click_id`),
  KEY `shorturl` (`shorturl`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

LOCK TABLES `yourls_log` WRITE;
/*!40000 ALTER TABLE `yourls_log` DISABLE KEYS */;
INSERT INTO `yourls_log` VALUES (1,'2023-01-12 10:00:00','gh','direct','Mozilla/5.0 (X11; Linux x86_64); \'quoted\'','192.0.2.50','FR'),(2,'2023-01-12 10:05:00','gh','https://news.example/?q=a;b','curl/8.0','192.0.2.51','US');
/*!40000 ALTER TABLE `yourls_log` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `yourls_url`
--

DROP TABLE IF EXISTS `yourls_url`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!50503 SET character_set_client = utf8mb4 */;
CREATE TABLE `yourls_url` (
  `keyword` varchar(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  `url` text CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  `title` text CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  `timestamp` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
  `ip` varchar(41) COLLATE utf8mb4_unicode_ci NOT NULL,
  `clicks` int unsigned NOT NULL,
  PRIMARY KEY (`keyword`),
  KEY `yourls_url_idx_timestamp` (`timestamp`),
  KEY `yourls_url_idx_ip` (`ip`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `yourls_url`
--

LOCK TABLES `yourls_url` WRITE;
/*!40000 ALTER TABLE `yourls_url` DISABLE KEYS */;
INSERT INTO `yourls_url` VALUES ('gh','https://github.com/YOURLS/YOURLS','YOURLS: Your Own URL Shortener','2023-01-10 09:15:02','192.0.2.10',311),('it\'s','https://example.com/its','It\'s a \"quoted\" title, with commas','2023-01-11 10:00:00','192.0.2.11',12),('menu','https://example.org/menu','Crème brûlée — menu; déjà vu','2023-01-12 11:00:00','2001:db8::1',0);
INSERT INTO `yourls_url` VALUES ('notitle','https://example.org/n?q=a%20b',NULL,'2023-01-13 12:00:00','192.0.2.12',5),
('x1','javascript:alert(document.cookie)','','2023-01-14 13:00:00','192.0.2.13',1),
('data1','data:text/html;base64,PHNjcmlwdD4=','Data URL','2023-01-15 14:00:00','192.0.2.14',2),
('UPPER','https://example.org/upper','Line one\nline two\ttabbed','2023-01-16 15:00:00','192.0.2.15',3),
('a/b','https://example.org/ab','Slash in keyword','2023-01-17 16:00:00','192.0.2.16',4);
/*!40000 ALTER TABLE `yourls_url` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Dumping data for table `yourls_options`
--

LOCK TABLES `yourls_options` WRITE;
INSERT INTO `yourls_options` VALUES (1,'version','1.9.2'),(2,'next_id','42'),(3,'active_plugins','a:0:{}');
UNLOCK TABLES;
/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;

-- Dump completed on 2024-02-01 12:00:00
